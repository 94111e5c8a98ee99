#include "ember/core/ivalue.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace ember {

IValue::IValue(GenericList v) : v_(std::make_shared<GenericList>(std::move(v))) {}
IValue::IValue(const std::vector<int64_t>& v) : IValue(GenericList(v.begin(), v.end())) {}
IValue::IValue(const std::vector<double>& v) : IValue(GenericList(v.begin(), v.end())) {}
IValue::IValue(const std::vector<Tensor>& v) : IValue(GenericList(v.begin(), v.end())) {}
IValue::IValue(Dict d) : v_(std::make_shared<Dict>(std::move(d))) {}

IValue IValue::tuple(GenericList items) {
  IValue r(std::move(items));
  r.tuple_ = true;
  return r;
}
IValue IValue::dict() { return IValue(Dict()); }

const char* IValue::type_name() const {
  switch (tag()) {
    case Tag::None: return "None";
    case Tag::Bool: return "bool";
    case Tag::Int: return "int";
    case Tag::Double: return "float";
    case Tag::String: return "str";
    case Tag::Tensor: return "Tensor";
    case Tag::List: return "list";
    case Tag::Tuple: return "tuple";
    case Tag::Dict: return "dict";
  }
  return "?";
}

double IValue::toDouble() const {
  if (auto p = std::get_if<int64_t>(&v_)) return static_cast<double>(*p);
  return get<double>("float");
}

GenericList& IValue::toList() const {
  auto p = std::get_if<std::shared_ptr<GenericList>>(&v_);
  EMBER_CHECK(p, "IValue: expected list or tuple but got ", type_name());
  return **p;
}

Dict& IValue::toDict() const {
  auto p = std::get_if<std::shared_ptr<Dict>>(&v_);
  EMBER_CHECK(p, "IValue: expected dict but got ", type_name());
  return **p;
}

std::vector<int64_t> IValue::toIntVector() const {
  std::vector<int64_t> r;
  for (const IValue& v : toList()) r.push_back(v.toInt());
  return r;
}
std::vector<double> IValue::toDoubleVector() const {
  std::vector<double> r;
  for (const IValue& v : toList()) r.push_back(v.toDouble());
  return r;
}
std::vector<Tensor> IValue::toTensorVector() const {
  std::vector<Tensor> r;
  for (const IValue& v : toList()) r.push_back(v.toTensor());
  return r;
}

IValue IValue::deepcopy() const {
  switch (tag()) {
    case Tag::Tensor: {
      const Tensor& t = toTensor();
      return t.defined() ? IValue(t.detach().clone()) : IValue(t);
    }
    case Tag::List:
    case Tag::Tuple: {
      GenericList items;
      items.reserve(toList().size());
      for (const IValue& v : toList()) items.push_back(v.deepcopy());
      return tag() == Tag::Tuple ? tuple(std::move(items)) : IValue(std::move(items));
    }
    case Tag::Dict: {
      Dict d;
      for (const auto& [k, v] : toDict()) d.insert_or_assign(k, v.deepcopy());
      return IValue(std::move(d));
    }
    default: return *this;
  }
}

bool IValue::key_equals(const IValue& o) const {
  if (isNumber() && o.isNumber()) {
    if (isInt() && o.isInt()) return toInt() == o.toInt();
    return toDouble() == o.toDouble();
  }
  if (tag() != o.tag()) return false;
  switch (tag()) {
    case Tag::None: return true;
    case Tag::Bool: return toBool() == o.toBool();
    case Tag::String: return toStringRef() == o.toStringRef();
    default: return false;
  }
}

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits in scientific form: "d.ddde[+-]xx".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  int exp = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  } else if (exp < 0) {
    out.assign("0.");
    out.append(static_cast<size_t>(-exp - 1), '0');
    out.append(digits);
  } else {
    size_t int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) {
      out = digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  if (neg) out.insert(out.begin(), '-');
  return out;
}

namespace {
void repr_into(std::ostringstream& os, const IValue& v) {
  using Tag = IValue::Tag;
  switch (v.tag()) {
    case Tag::None: os << "None"; break;
    case Tag::Bool: os << (v.toBool() ? "True" : "False"); break;
    case Tag::Int: os << v.toInt(); break;
    case Tag::Double: os << python_float_repr(v.toDouble()); break;
    case Tag::String: os << "'" << v.toStringRef() << "'"; break;
    case Tag::Tensor: {
      const Tensor& t = v.toTensor();
      if (!t.defined()) {
        os << "Tensor(undefined)";
        break;
      }
      os << "Tensor(shape=[";
      for (int64_t d = 0; d < t.dim(); ++d) os << (d ? ", " : "") << t.size(d);
      os << "], dtype=" << dtype_name(t.dtype()) << ")";
      break;
    }
    case Tag::List:
    case Tag::Tuple: {
      const bool tup = v.isTuple();
      os << (tup ? "(" : "[");
      const GenericList& items = v.toList();
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) os << ", ";
        repr_into(os, items[i]);
      }
      if (tup && items.size() == 1) os << ",";
      os << (tup ? ")" : "]");
      break;
    }
    case Tag::Dict: {
      os << "{";
      bool first = true;
      for (const auto& [k, val] : v.toDict()) {
        if (!first) os << ", ";
        first = false;
        repr_into(os, k);
        os << ": ";
        repr_into(os, val);
      }
      os << "}";
      break;
    }
  }
}
}  // namespace

std::string IValue::repr() const {
  std::ostringstream os;
  repr_into(os, *this);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const IValue& v) { return os << v.repr(); }

// ---- Dict ------------------------------------------------------------------------------
Dict::Dict(std::initializer_list<Item> items) {
  for (const Item& it : items) insert_or_assign(it.first, it.second);
}

IValue* Dict::find(const IValue& key) {
  for (Item& it : items_)
    if (it.first.key_equals(key)) return &it.second;
  return nullptr;
}
const IValue* Dict::find(const IValue& key) const {
  for (const Item& it : items_)
    if (it.first.key_equals(key)) return &it.second;
  return nullptr;
}
IValue& Dict::at(const IValue& key) {
  IValue* p = find(key);
  EMBER_CHECK_INDEX(p, "KeyError: ", key.repr());
  return *p;
}
const IValue& Dict::at(const IValue& key) const {
  const IValue* p = find(key);
  EMBER_CHECK_INDEX(p, "KeyError: ", key.repr());
  return *p;
}
IValue& Dict::operator[](const IValue& key) {
  if (IValue* p = find(key)) return *p;
  items_.emplace_back(key, IValue());
  return items_.back().second;
}
void Dict::insert_or_assign(IValue key, IValue value) {
  if (IValue* p = find(key)) {
    *p = std::move(value);
    return;
  }
  items_.emplace_back(std::move(key), std::move(value));
}
IValue& Dict::setdefault(IValue key, IValue value) {
  if (IValue* p = find(key)) return *p;
  items_.emplace_back(std::move(key), std::move(value));
  return items_.back().second;
}
bool Dict::erase(const IValue& key) {
  for (auto it = items_.begin(); it != items_.end(); ++it)
    if (it->first.key_equals(key)) {
      items_.erase(it);
      return true;
    }
  return false;
}

}  // namespace ember
