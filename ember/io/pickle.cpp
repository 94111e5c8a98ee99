// Pickle protocol 2 writer and the restricted reader of Note [Unpickler safety] (pickle.h).
// Opcode semantics follow CPython's Lib/pickle.py and pickletools.py; the accepted subset
// and the globals follow torch/_weights_only_unpickler.py (reference/formats-rng.md 1.10).
#include "ember/io/pickle.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "ember/core/error.h"
#include "ember/core/tensor_impl.h"
#include "ember/io/pickle_globals.h"

namespace ember::pickle {

// ---- Value ----------------------------------------------------------------------------

namespace {
using GlobalName = std::pair<std::string, std::string>;

[[noreturn]] void wrong_kind(const char* want, const Value& v) {
  EMBER_THROW(TypeError, "pickle::Value: expected ", want, " but got ", v.type_name());
}
}  // namespace

Value Value::boolean(bool v) {
  Value r;
  r.kind_ = Kind::Bool;
  r.b_ = v;
  return r;
}
Value Value::integer(int64_t v) {
  Value r;
  r.kind_ = Kind::Int;
  r.i_ = v;
  return r;
}
Value Value::floating(double v) {
  Value r;
  r.kind_ = Kind::Float;
  r.d_ = v;
  return r;
}
Value Value::string(std::string v) {
  Value r;
  r.kind_ = Kind::Str;
  r.ptr_ = std::make_shared<std::string>(std::move(v));
  return r;
}
Value Value::tensor(Tensor t, TensorKind kind) {
  Value r;
  r.kind_ = Kind::Tensor;
  r.tensor_kind_ = kind;
  r.ptr_ = std::make_shared<Tensor>(std::move(t));
  return r;
}
Value Value::list(ValueList items) {
  Value r;
  r.kind_ = Kind::List;
  r.ptr_ = std::make_shared<ValueList>(std::move(items));
  return r;
}
Value Value::tuple(ValueList items) {
  Value r;
  r.kind_ = Kind::Tuple;
  r.ptr_ = std::make_shared<ValueList>(std::move(items));
  return r;
}
Value Value::dict(bool ordered) {
  Value r;
  r.kind_ = Kind::Dict;
  auto d = std::make_shared<DictData>();
  d->ordered = ordered;
  r.ptr_ = std::move(d);
  return r;
}
Value Value::global(std::string module, std::string name) {
  Value r;
  r.kind_ = Kind::Global;
  r.ptr_ = std::make_shared<GlobalName>(std::move(module), std::move(name));
  return r;
}

const char* Value::type_name() const {
  switch (kind_) {
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Tensor:
      return tensor_kind_ == TensorKind::Parameter ? "Parameter" : tensor_kind_ == TensorKind::Storage ? "storage" : "Tensor";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return static_cast<const DictData*>(ptr_.get())->ordered ? "OrderedDict" : "dict";
    case Kind::Global: return "global";
  }
  return "?";
}

bool Value::to_bool() const {
  if (kind_ != Kind::Bool) wrong_kind("bool", *this);
  return b_;
}
int64_t Value::to_int() const {
  if (kind_ != Kind::Int) wrong_kind("int", *this);
  return i_;
}
double Value::to_float() const {
  if (kind_ == Kind::Int) return static_cast<double>(i_);
  if (kind_ != Kind::Float) wrong_kind("float", *this);
  return d_;
}
const std::string& Value::to_str() const {
  if (kind_ != Kind::Str) wrong_kind("str", *this);
  return *static_cast<const std::string*>(ptr_.get());
}
const Tensor& Value::to_tensor() const {
  if (kind_ != Kind::Tensor) wrong_kind("Tensor", *this);
  return *static_cast<const Tensor*>(ptr_.get());
}
TensorKind Value::tensor_kind() const {
  if (kind_ != Kind::Tensor) wrong_kind("Tensor", *this);
  return tensor_kind_;
}
ValueList& Value::items() const {
  if (kind_ != Kind::List && kind_ != Kind::Tuple) wrong_kind("list or tuple", *this);
  return *static_cast<ValueList*>(ptr_.get());
}
DictData& Value::to_dict() const {
  if (kind_ != Kind::Dict) wrong_kind("dict", *this);
  return *static_cast<DictData*>(ptr_.get());
}
const std::string& Value::global_module() const {
  if (kind_ != Kind::Global) wrong_kind("global", *this);
  return static_cast<const GlobalName*>(ptr_.get())->first;
}
const std::string& Value::global_name() const {
  if (kind_ != Kind::Global) wrong_kind("global", *this);
  return static_cast<const GlobalName*>(ptr_.get())->second;
}

std::string hash_key(const Value& v) {
  // Python's dict equality: True == 1 == 1.0, -0.0 == 0.0. Each form gets a prefix and,
  // where it nests, a length, so distinct keys never collide.
  switch (v.kind()) {
    case Value::Kind::None: return "N";
    case Value::Kind::Bool: return v.to_bool() ? "i1" : "i0";
    case Value::Kind::Int: return "i" + std::to_string(v.to_int());
    case Value::Kind::Float: {
      double d = v.to_float();
      if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return "i" + std::to_string(static_cast<int64_t>(d));
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      return "f" + std::to_string(bits);
    }
    case Value::Kind::Str: return "s" + v.to_str();
    case Value::Kind::Tuple: {
      std::string k = "t";
      for (const Value& item : v.items()) {
        std::string sub = hash_key(item);
        if (sub.empty()) return "";
        k += std::to_string(sub.size()) + ":" + sub;
      }
      return k;
    }
    case Value::Kind::Global: return "g" + v.global_path();
    case Value::Kind::Tensor:
    case Value::Kind::List:
    case Value::Kind::Dict: return "";
  }
  return "";
}

// Small dicts are searched linearly; the hash index is built once a dict passes kIndexAt
// items, so the many tiny dicts of a checkpoint ({'version': 1}) stay small.
namespace {
constexpr size_t kIndexAt = 16;
}

void DictData::set(Value key, Value value) {
  std::string k = hash_key(key);
  EMBER_CHECK_TYPE(!k.empty(), "unhashable type: '", key.type_name(), "'");
  if (items.size() < kIndexAt) {
    for (auto& item : items)
      if (hash_key(item.first) == k) {
        item.second = std::move(value);
        return;
      }
    items.emplace_back(std::move(key), std::move(value));
    if (items.size() == kIndexAt)
      for (size_t i = 0; i < items.size(); ++i) index_.emplace(hash_key(items[i].first), i);
    return;
  }
  auto [it, inserted] = index_.emplace(std::move(k), items.size());
  if (!inserted) {
    items[it->second].second = std::move(value);
    return;
  }
  items.emplace_back(std::move(key), std::move(value));
}

const Value* DictData::find(const Value& key) const {
  std::string k = hash_key(key);
  if (k.empty()) return nullptr;
  if (items.size() < kIndexAt || index_.size() != items.size()) {
    for (const auto& item : items)
      if (hash_key(item.first) == k) return &item.second;
    return nullptr;
  }
  auto it = index_.find(k);
  return it == index_.end() ? nullptr : &items[it->second].second;
}

const Value* DictData::attribute(const std::string& name) const {
  for (const auto& a : attributes)
    if (a.first == name) return &a.second;
  return nullptr;
}

namespace {

void check_depth(int depth) {
  if (depth > kMaxDepth) EMBER_THROW(Error, "the object nests deeper than ", kMaxDepth, " levels (a reference cycle?)");
}

struct ToIValue {
  std::unordered_map<const void*, IValue> done;
  std::unordered_set<const void*> active;

  IValue convert(const Value& v, int depth) {
    check_depth(depth);
    switch (v.kind()) {
      case Value::Kind::None: return IValue();
      case Value::Kind::Bool: return IValue(v.to_bool());
      case Value::Kind::Int: return IValue(v.to_int());
      case Value::Kind::Float: return IValue(v.to_float());
      case Value::Kind::Str: return IValue(v.to_str());
      case Value::Kind::Tensor: return IValue(v.to_tensor());
      case Value::Kind::Global:
        EMBER_THROW(Error, "a checkpoint value is the global ", v.global_path(), ", which an IValue cannot hold");
      case Value::Kind::List:
      case Value::Kind::Tuple:
      case Value::Kind::Dict: break;
    }
    const void* id = v.container_id();
    if (auto it = done.find(id); it != done.end()) return it->second;
    EMBER_CHECK(active.insert(id).second, "the object contains a reference cycle");
    IValue r;
    if (v.kind() == Value::Kind::Dict) {
      r = IValue::dict();
      Dict& d = r.toDict();
      for (const auto& [key, value] : v.to_dict().items) d.insert_or_assign(convert(key, depth + 1), convert(value, depth + 1));
    } else {
      GenericList items;
      items.reserve(v.items().size());
      for (const Value& item : v.items()) items.push_back(convert(item, depth + 1));
      r = v.kind() == Value::Kind::Tuple ? IValue::tuple(std::move(items)) : IValue::list(std::move(items));
    }
    active.erase(id);
    done.emplace(id, r);
    return r;
  }
};

struct FromIValue {
  std::unordered_map<const void*, Value> done;
  std::unordered_set<const void*> active;

  Value convert(const IValue& v, int depth) {
    check_depth(depth);
    switch (v.tag()) {
      case IValue::Tag::None: return Value();
      case IValue::Tag::Bool: return Value::boolean(v.toBool());
      case IValue::Tag::Int: return Value::integer(v.toInt());
      case IValue::Tag::Double: return Value::floating(v.toDouble());
      case IValue::Tag::String: return Value::string(v.toStringRef());
      case IValue::Tag::Tensor: return Value::tensor(v.toTensor());
      case IValue::Tag::List:
      case IValue::Tag::Tuple:
      case IValue::Tag::Dict: break;
    }
    const void* id = v.isDict() ? static_cast<const void*>(&v.toDict()) : static_cast<const void*>(&v.toList());
    if (auto it = done.find(id); it != done.end()) return it->second;
    EMBER_CHECK(active.insert(id).second, "the object contains a reference cycle");
    Value r;
    if (v.isDict()) {
      r = Value::dict();
      for (const auto& [key, value] : v.toDict()) r.to_dict().set(convert(key, depth + 1), convert(value, depth + 1));
    } else {
      ValueList items;
      items.reserve(v.toList().size());
      for (const IValue& item : v.toList()) items.push_back(convert(item, depth + 1));
      r = v.isTuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    active.erase(id);
    done.emplace(id, r);
    return r;
  }
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

// A repr bounded in length and depth: it also prints objects from hostile pickles in error
// messages, which may be huge or cyclic.
void repr_into(const Value& v, std::string& out, int depth, size_t budget) {
  if (out.size() > budget) return;
  if (depth > 8) {
    out += "...";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::None: out += "None"; return;
    case Value::Kind::Bool: out += v.to_bool() ? "True" : "False"; return;
    case Value::Kind::Int: out += std::to_string(v.to_int()); return;
    case Value::Kind::Float: out += python_float_repr(v.to_float()); return;
    case Value::Kind::Str: out += quote(v.to_str().substr(0, budget)); return;
    case Value::Kind::Global: out += v.global_path(); return;
    case Value::Kind::Tensor: {
      const Tensor& t = v.to_tensor();
      out += std::string(v.tensor_kind() == TensorKind::Storage ? "storage" : "tensor") + "(shape=[";
      if (t.defined())
        for (int64_t i = 0; i < t.dim(); ++i) out += (i ? ", " : "") + std::to_string(t.size(i));
      out += "], dtype=" + std::string(t.defined() ? dtype_name(t.dtype()) : "undefined") + ")";
      return;
    }
    case Value::Kind::List:
    case Value::Kind::Tuple: {
      const bool tuple = v.kind() == Value::Kind::Tuple;
      out += tuple ? "(" : "[";
      const ValueList& items = v.items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (out.size() > budget) {
          out += "...";
          break;
        }
        if (i) out += ", ";
        repr_into(items[i], out, depth + 1, budget);
      }
      if (tuple && items.size() == 1) out += ",";
      out += tuple ? ")" : "]";
      return;
    }
    case Value::Kind::Dict: {
      const DictData& d = v.to_dict();
      out += d.ordered ? "OrderedDict({" : "{";
      for (size_t i = 0; i < d.items.size(); ++i) {
        if (out.size() > budget) {
          out += "...";
          break;
        }
        if (i) out += ", ";
        repr_into(d.items[i].first, out, depth + 1, budget);
        out += ": ";
        repr_into(d.items[i].second, out, depth + 1, budget);
      }
      out += d.ordered ? "})" : "}";
      return;
    }
  }
}

}  // namespace

IValue Value::to_ivalue() const { return ToIValue().convert(*this, 0); }
Value Value::from_ivalue(const IValue& v) { return FromIValue().convert(v, 0); }

std::string Value::repr() const {
  std::string out;
  repr_into(*this, out, 0, 400);
  return out;
}

// ---- writer ---------------------------------------------------------------------------

namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

class Pickler {
 public:
  Pickler(std::vector<StorageRef>& storages, const std::string& context) : storages_(storages), context_(context) {
    for (size_t i = 0; i < storages_.size(); ++i) keys_.emplace(storages_[i].storage.get(), i);
  }

  std::string run(const Value& v) {
    out_ += '\x80';
    out_ += '\x02';
    value(v, 0);
    out_ += '.';
    return std::move(out_);
  }

 private:
  template <class... Args>
  [[noreturn]] void fail(const Args&... args) {
    EMBER_THROW(Error, context_, args...);
  }

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void le(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }

  void memo_put() {
    if (next_memo_ < 256) {
      u8('q');
      u8(static_cast<uint8_t>(next_memo_));
    } else {
      u8('r');
      le(next_memo_, 4);
    }
    ++next_memo_;
  }

  // GLOBAL, memoised: each global is written once and fetched with BINGET after.
  void global(const char* module, const char* name) {
    std::string key = std::string(module) + "\n" + name;
    if (auto it = globals_.find(key); it != globals_.end()) {
      if (it->second < 256) {
        u8('h');
        u8(static_cast<uint8_t>(it->second));
      } else {
        u8('j');
        le(it->second, 4);
      }
      return;
    }
    u8('c');
    out_ += key;
    out_ += '\n';
    globals_.emplace(std::move(key), next_memo_);
    memo_put();
  }

  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      u8('K');
      u8(static_cast<uint8_t>(v));
    } else if (v >= 0 && v < 65536) {
      u8('M');
      le(static_cast<uint64_t>(v), 2);
    } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      u8('J');
      le(static_cast<uint32_t>(static_cast<int32_t>(v)), 4);
    } else {
      // LONG1: the shortest little-endian two's complement that keeps the sign.
      unsigned char bytes[8];
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
      int n = 8;
      while (n > 1) {
        bool redundant = v < 0 ? (bytes[n - 1] == 0xFF && (bytes[n - 2] & 0x80)) : (bytes[n - 1] == 0 && !(bytes[n - 2] & 0x80));
        if (!redundant) break;
        --n;
      }
      u8(0x8a);
      u8(static_cast<uint8_t>(n));
      out_.append(reinterpret_cast<const char*>(bytes), n);
    }
  }

  void string(const std::string& s) {
    if (!valid_utf8(s)) fail("the string ", quote(s.substr(0, 60)), " is not valid UTF-8; Python strings must be");
    if (s.size() > 0xFFFFFFFFu) fail("a string of ", s.size(), " bytes is too long for pickle protocol 2");
    u8('X');
    le(s.size(), 4);
    out_ += s;
  }

  void boolean(bool b) { u8(b ? 0x88 : 0x89); }

  void empty_ordered_dict() {
    global("collections", "OrderedDict");
    u8(')');
    u8('R');
  }

  // Items appended or set in batches of 1000, as CPython's pickler does.
  template <class F>
  void batched(size_t n, char one, char many, F&& emit) {
    for (size_t start = 0; start < n; start += 1000) {
      size_t end = std::min(n, start + 1000);
      if (end - start == 1) {
        emit(start);
        u8(static_cast<uint8_t>(one));
      } else {
        u8('(');
        for (size_t i = start; i < end; ++i) emit(i);
        u8(static_cast<uint8_t>(many));
      }
    }
  }

  void tuple_of(const ValueList& items, int depth) {
    if (items.empty()) {
      u8(')');
      return;
    }
    if (items.size() > 3) u8('(');
    for (const Value& item : items) value(item, depth + 1);
    if (items.size() <= 3) u8(static_cast<uint8_t>(0x84 + items.size()));
    else u8('t');
  }

  void int_tuple(IntArrayRef v) {
    if (v.empty()) {
      u8(')');
      return;
    }
    if (v.size() > 3) u8('(');
    for (int64_t x : v) integer(x);
    if (v.size() <= 3) u8(static_cast<uint8_t>(0x84 + v.size()));
    else u8('t');
  }

  void tensor(const Tensor& t, TensorKind kind) {
    if (!t.defined()) fail("cannot save an undefined tensor");
    if (!t.is_cpu()) fail("cannot save a tensor on ", t.device(), "; move it to the CPU first");
    if (kind == TensorKind::Storage) fail("cannot save a bare storage; save a tensor over it");
    const StorageImpl* st = t.storage().get();
    const size_t itemsize = t.itemsize();
    const StorageClass* cls = storage_class_for(t.dtype());
    if (!cls) fail("dtype ", dtype_name(t.dtype()), " has no PyTorch storage class");
    size_t key;
    if (auto it = keys_.find(st); it != keys_.end()) {
      key = it->second;
      if (storages_[key].dtype != t.dtype())
        fail("two tensors view the same storage as ", dtype_name(storages_[key].dtype), " and as ",
             dtype_name(t.dtype()), "; PyTorch's format cannot hold that (save a clone of one)");
    } else {
      if (st->nbytes() % itemsize != 0)
        fail("a ", dtype_name(t.dtype()), " tensor's storage has ", st->nbytes(),
             " bytes, not a whole number of elements");
      key = storages_.size();
      storages_.push_back({t.storage(), t.dtype(), st->nbytes() / itemsize});
      keys_.emplace(st, key);
    }
    if (kind == TensorKind::Parameter) global("torch._utils", "_rebuild_parameter");
    global("torch._utils", "_rebuild_tensor_v2");
    u8('(');
    // The persistent id ('storage', torch.<T>Storage, key, 'cpu', numel).
    u8('(');
    string("storage");
    global("torch", cls->name);
    string(std::to_string(key));
    string("cpu");
    integer(static_cast<int64_t>(storages_[key].numel));
    u8('t');
    u8('Q');
    integer(t.storage_offset());
    int_tuple(t.sizes());
    int_tuple(t.strides());
    boolean(kind == TensorKind::Parameter ? false : t.requires_grad());
    empty_ordered_dict();  // backward hooks: never saved
    u8('t');
    u8('R');
    if (kind == TensorKind::Parameter) {
      boolean(t.requires_grad());
      empty_ordered_dict();
      u8(0x87);
      u8('R');
    }
  }

  void value(const Value& v, int depth) {
    if (depth > kMaxDepth) fail("the object nests deeper than ", kMaxDepth, " levels (a reference cycle?)");
    switch (v.kind()) {
      case Value::Kind::None: u8('N'); return;
      case Value::Kind::Bool: boolean(v.to_bool()); return;
      case Value::Kind::Int: integer(v.to_int()); return;
      case Value::Kind::Float: {
        double d = v.to_float();
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        u8('G');
        for (int i = 7; i >= 0; --i) u8(static_cast<uint8_t>((bits >> (8 * i)) & 0xFF));  // big-endian
        return;
      }
      case Value::Kind::Str: string(v.to_str()); return;
      case Value::Kind::Tensor: tensor(v.to_tensor(), v.tensor_kind()); return;
      case Value::Kind::Global:
        global(v.global_module().c_str(), v.global_name().c_str());
        return;
      case Value::Kind::Tuple: tuple_of(v.items(), depth); return;
      case Value::Kind::List: {
        u8(']');
        const ValueList& items = v.items();
        batched(items.size(), 'a', 'e', [&](size_t i) { value(items[i], depth + 1); });
        return;
      }
      case Value::Kind::Dict: {
        const DictData& d = v.to_dict();
        if (d.ordered) empty_ordered_dict();
        else u8('}');
        batched(d.items.size(), 's', 'u', [&](size_t i) {
          value(d.items[i].first, depth + 1);
          value(d.items[i].second, depth + 1);
        });
        if (!d.attributes.empty()) {  // the instance's __dict__, set by BUILD
          u8('}');
          batched(d.attributes.size(), 's', 'u', [&](size_t i) {
            string(d.attributes[i].first);
            value(d.attributes[i].second, depth + 1);
          });
          u8('b');
        }
        return;
      }
    }
  }

  std::vector<StorageRef>& storages_;
  const std::string& context_;
  std::unordered_map<const StorageImpl*, size_t> keys_;
  std::unordered_map<std::string, uint32_t> globals_;
  uint32_t next_memo_ = 0;
  std::string out_;
};

}  // namespace

std::string dumps(const Value& v, std::vector<StorageRef>& storages, const std::string& context) {
  return Pickler(storages, context).run(v);
}

// ---- reader ---------------------------------------------------------------------------

namespace {

const char* opcode_name(uint8_t op) {
  switch (op) {
    case '(': return "MARK";
    case '.': return "STOP";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'X': return "BINUNICODE";
    case 'U': return "SHORT_BINSTRING";
    case 'a': return "APPEND";
    case 'e': return "APPENDS";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case '}': return "EMPTY_DICT";
    case ']': return "EMPTY_LIST";
    case ')': return "EMPTY_TUPLE";
    case 'h': return "BINGET";
    case 'j': return "LONG_BINGET";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 'u': return "SETITEMS";
    case 't': return "TUPLE";
    case 'G': return "BINFLOAT";
    case 'R': return "REDUCE";
    case 'Q': return "BINPERSID";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    // Known to pickle, refused here (named so the error is readable).
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'P': return "PERSID";
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'T': return "BINSTRING";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 'd': return "DICT";
    case 'g': return "GET";
    case 'i': return "INST";
    case 'l': return "LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x8b: return "LONG4";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

class Unpickler {
 public:
  Unpickler(std::string_view in, const PersistentLoad& persistent_load, const std::string& context)
      : in_(in), persistent_load_(persistent_load), context_(context) {}

  ~Unpickler() {
    // Note [Unpickler safety]: a hostile pickle can make containers reference each other
    // (a list appended to itself). On success the result was checked for cycles; on
    // failure, emptying every container made here breaks any cycle so nothing leaks.
    if (!succeeded_)
      for (const Value& c : containers_) {
        if (c.kind() == Value::Kind::Dict) {
          c.to_dict().items.clear();
          c.to_dict().attributes.clear();
        } else {
          c.items().clear();
        }
      }
  }

  Value run() {
    for (;;) {
      if (pos_ >= in_.size()) fail_at(pos_, "truncated pickle: no STOP opcode before the end of data.pkl");
      op_pos_ = pos_;
      op_ = static_cast<uint8_t>(in_[pos_++]);
      switch (op_) {
        case 0x80: {  // PROTO
          uint8_t proto = byte();
          if (proto > 5) fail("unsupported pickle protocol " + std::to_string(proto));
          break;
        }
        case 0x95: {  // FRAME: announces the length of the opcodes that follow; they are read as usual
          uint64_t n = le(8);
          if (n > in_.size() - pos_) fail("truncated pickle: a frame of " + std::to_string(n) + " bytes runs past the end");
          break;
        }
        case '.': {  // STOP
          if (stack_.size() != 1 || !marks_.empty())
            fail("malformed pickle: STOP with " + std::to_string(stack_.size()) + " objects on the stack and " +
                 std::to_string(marks_.size()) + " open MARKs (expected one object)");
          Value result = std::move(stack_.back());
          stack_.clear();
          memo_.clear();
          check_result(result);
          succeeded_ = true;
          return result;
        }
        case 'N': push(Value()); break;
        case 0x88: push(Value::boolean(true)); break;
        case 0x89: push(Value::boolean(false)); break;
        case 'K': push(Value::integer(byte())); break;
        case 'M': push(Value::integer(static_cast<int64_t>(le(2)))); break;
        case 'J': push(Value::integer(static_cast<int32_t>(static_cast<uint32_t>(le(4))))); break;
        case 0x8a: {  // LONG1
          uint8_t n = byte();
          std::string_view b = take(n);
          if (n > 8) {
            // Python writes the shortest form, so more than 8 bytes means more than 64 bits.
            fail("an integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
          }
          uint64_t v = 0;
          for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
          if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80)) v |= ~uint64_t{0} << (8 * n);  // sign
          push(Value::integer(static_cast<int64_t>(v)));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian
          std::string_view b = take(8);
          uint64_t bits = 0;
          for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<uint8_t>(b[i]);
          double d;
          std::memcpy(&d, &bits, 8);
          push(Value::floating(d));
          break;
        }
        case 'X': push(text(take(le(4)))); break;       // BINUNICODE
        case 0x8c: push(text(take(byte()))); break;     // SHORT_BINUNICODE
        case 0x8d: push(text(take(le(8)))); break;      // BINUNICODE8
        case 'U': push(text(take(byte()))); break;      // SHORT_BINSTRING (Python 2 str)
        case '(': marks_.push_back(stack_.size()); break;
        case ')': push(Value::tuple()); break;
        case 't': {
          size_t m = pop_mark();
          ValueList items(std::make_move_iterator(stack_.begin() + static_cast<ptrdiff_t>(m)),
                          std::make_move_iterator(stack_.end()));
          stack_.resize(m);
          push(Value::tuple(std::move(items)));
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
          size_t n = op_ - 0x84u;
          need_stack(n);
          ValueList items(std::make_move_iterator(stack_.end() - static_cast<ptrdiff_t>(n)),
                          std::make_move_iterator(stack_.end()));
          stack_.resize(stack_.size() - n);
          push(Value::tuple(std::move(items)));
          break;
        }
        case ']': push(container(Value::list())); break;
        case '}': push(container(Value::dict())); break;
        case 'a': {  // APPEND
          need_stack(2);
          Value item = pop();
          target_list(stack_.back()).push_back(std::move(item));
          break;
        }
        case 'e': {  // APPENDS
          size_t m = pop_mark();
          if (m <= stack_floor()) fail("malformed pickle: APPENDS with no list below its MARK");
          ValueList& list = target_list(stack_[m - 1]);
          for (size_t i = m; i < stack_.size(); ++i) list.push_back(std::move(stack_[i]));
          stack_.resize(m);
          break;
        }
        case 's': {  // SETITEM
          need_stack(3);
          Value value = pop();
          Value key = pop();
          set_item(stack_.back(), std::move(key), std::move(value));
          break;
        }
        case 'u': {  // SETITEMS
          size_t m = pop_mark();
          if (m <= stack_floor()) fail("malformed pickle: SETITEMS with no dict below its MARK");
          if ((stack_.size() - m) % 2 != 0) fail("malformed pickle: SETITEMS with an odd number of objects");
          for (size_t i = m; i < stack_.size(); i += 2) set_item(stack_[m - 1], std::move(stack_[i]), std::move(stack_[i + 1]));
          stack_.resize(m);
          break;
        }
        case 'h': get(byte()); break;
        case 'j': get(static_cast<uint32_t>(le(4))); break;
        case 'q': put(byte()); break;
        case 'r': put(static_cast<uint32_t>(le(4))); break;
        case 0x94: put(static_cast<uint32_t>(memo_.size())); break;  // MEMOIZE
        case 'c': {  // GLOBAL module\nname\n
          std::string module = line();
          std::string name = line();
          push(resolve_global(module, name));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          need_stack(2);
          Value name = pop(), module = pop();
          if (name.kind() != Value::Kind::Str || module.kind() != Value::Kind::Str)
            fail("STACK_GLOBAL needs two strings, got " + std::string(module.type_name()) + " and " + name.type_name());
          push(resolve_global(module.to_str(), name.to_str()));
          break;
        }
        case 'R': {  // REDUCE
          need_stack(2);
          Value args = pop();
          Value callable = pop();
          push(reduce(callable, args));
          break;
        }
        case 0x81: {  // NEWOBJ
          need_stack(2);
          Value args = pop();
          Value cls = pop();
          push(newobj(cls, args));
          break;
        }
        case 'b': {  // BUILD
          need_stack(2);
          Value state = pop();
          build(stack_.back(), state);
          break;
        }
        case 'Q': {  // BINPERSID
          need_stack(1);
          Value pid = pop();
          if (pid.kind() != Value::Kind::Tuple) fail("the persistent id must be a tuple, got " + pid.repr());
          if (!persistent_load_) fail("unexpected persistent id " + pid.repr());
          push(persistent_load_(pid));
          break;
        }
        default: {
          const char* name = opcode_name(op_);
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op_);
          std::string what = std::string("Unsupported operand ") + hex + (name ? std::string(" (") + name + ")" : "");
          if (op_ == 0x8f || op_ == 0x91) what += ": ember cannot represent sets";
          else if (op_ == 'B' || op_ == 'C' || op_ == 0x8e) what += ": ember cannot represent bytes objects";
          else if (name) what += ": not in the opcodes PyTorch's weights_only loader accepts";
          else what += ": not a pickle opcode (corrupt data.pkl?)";
          fail(what);
        }
      }
    }
  }

 private:
  [[noreturn]] void fail_at(size_t pos, const std::string& what) {
    EMBER_THROW(Error, context_, what, " (at byte ", pos, " of the pickle)");
  }
  [[noreturn]] void fail(const std::string& what) {
    const char* name = opcode_name(op_);
    EMBER_THROW(Error, context_, what, " (", name ? name : "opcode", " at byte ", op_pos_, " of the pickle)");
  }

  std::string_view take(uint64_t n) {
    if (n > in_.size() - pos_)
      fail("truncated pickle: " + std::to_string(n) + " bytes needed, " + std::to_string(in_.size() - pos_) + " left");
    std::string_view r = in_.substr(pos_, n);
    pos_ += n;
    return r;
  }
  uint8_t byte() { return static_cast<uint8_t>(take(1)[0]); }
  uint64_t le(int n) {
    std::string_view b = take(n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }
  std::string line() {
    size_t end = in_.find('\n', pos_);
    if (end == std::string_view::npos) fail("truncated pickle: GLOBAL without its newline");
    if (end - pos_ > 1000) fail("a GLOBAL name longer than 1000 bytes");
    std::string r(in_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return r;
  }
  Value text(std::string_view b) {
    if (!valid_utf8(b)) fail("a string is not valid UTF-8");
    return Value::string(std::string(b));
  }

  void push(Value v) { stack_.push_back(std::move(v)); }
  Value pop() {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  // Objects below the innermost MARK are out of reach, as in CPython (whose MARK starts a
  // new stack).
  size_t stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  void need_stack(size_t n) {
    if (stack_.size() < stack_floor() + n) fail("malformed pickle: the stack holds too few objects");
  }
  size_t pop_mark() {
    if (marks_.empty()) fail("malformed pickle: no MARK to close");
    size_t m = marks_.back();
    marks_.pop_back();
    return m;
  }
  Value container(Value v) {
    containers_.push_back(v);
    return v;
  }

  void get(uint32_t i) {
    auto it = memo_.find(i);
    if (it == memo_.end()) fail("memo entry " + std::to_string(i) + " was never stored");
    push(it->second);
  }
  void put(uint32_t i) {
    if (stack_.size() <= stack_floor())
      fail("malformed pickle: nothing on the stack to memoise");
    memo_[i] = stack_.back();
  }

  ValueList& target_list(const Value& target) {
    if (target.kind() != Value::Kind::List)
      fail(std::string("APPEND to a ") + target.type_name() + " (only lists can be appended to)");
    return target.items();
  }
  void set_item(const Value& target, Value key, Value value) {
    if (target.kind() != Value::Kind::Dict)
      fail(std::string("SETITEM on a ") + target.type_name() + " (only dicts take items)");
    if (hash_key(key).empty()) fail(std::string("unhashable dict key of type '") + key.type_name() + "'");
    target.to_dict().set(std::move(key), std::move(value));
  }

  Value resolve_global(const std::string& module_in, const std::string& name) {
    std::string module = module_in;
    // Protocol 2 writes Python 2 module names (pickle's IMPORT_MAPPING, the part that matters).
    if (module == "__builtin__") module = "builtins";
    else if (module == "copy_reg") module = "copyreg";
    const std::string path = module + "." + name;
    const GlobalInfo* g = find_global(module, name);
    if (!g) {
      fail("Unsupported global: GLOBAL " + printable_name(path) +
           " is not an allowed global. ember's loader builds only tensors, parameters, containers, numbers, "
           "strings, dtypes and devices, and never imports or calls code named in a checkpoint");
    }
    if (g->refusal)
      fail("Unsupported global: GLOBAL " + path + " is allowed by PyTorch's weights_only loader but " + g->refusal);
    return Value::global(module, name);
  }

  static std::string printable_name(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 200)) out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    return out;
  }

  // ---- REDUCE / NEWOBJ / BUILD --------------------------------------------------------

  const ValueList& args_of(const Value& args, const std::string& fn, size_t lo, size_t hi) {
    if (args.kind() != Value::Kind::Tuple) fail(fn + " needs an argument tuple, got " + args.type_name());
    const ValueList& a = args.items();
    if (a.size() < lo || a.size() > hi)
      fail(fn + " takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
           " arguments, got " + std::to_string(a.size()));
    return a;
  }

  int64_t int_arg(const Value& v, const std::string& fn, const char* what) {
    if (v.kind() != Value::Kind::Int) fail(fn + ": " + what + " must be an int, got " + v.repr());
    return v.to_int();
  }

  DimVector dims_arg(const Value& v, const std::string& fn, const char* what) {
    if (v.kind() != Value::Kind::Tuple && v.kind() != Value::Kind::List)
      fail(fn + ": " + what + " must be a tuple of ints, got " + v.repr());
    DimVector r;
    for (const Value& d : v.items()) {
      if (d.kind() != Value::Kind::Int || d.to_int() < 0)
        fail(fn + ": " + what + " must hold non-negative ints, got " + v.repr());
      r.push_back(d.to_int());
    }
    if (r.size() > 64) fail(fn + ": " + std::to_string(r.size()) + " dimensions (at most 64)");
    return r;
  }

  Value rebuild_tensor(GlobalFn fn, const Value& args) {
    const bool v3 = fn == GlobalFn::RebuildTensorV3, v1 = fn == GlobalFn::RebuildTensor;
    const std::string name = v3 ? "_rebuild_tensor_v3" : v1 ? "_rebuild_tensor" : "_rebuild_tensor_v2";
    const ValueList& a = v1 ? args_of(args, name, 4, 4) : v3 ? args_of(args, name, 7, 8) : args_of(args, name, 6, 7);
    const Value& storage = a[0];
    if (storage.kind() != Value::Kind::Tensor || storage.tensor_kind() != TensorKind::Storage)
      fail(name + ": the first argument must be a storage, got " + storage.repr());
    const Tensor& st = storage.to_tensor();
    int64_t offset = int_arg(a[1], name, "the storage offset");
    if (offset < 0) fail(name + ": negative storage offset " + std::to_string(offset));
    DimVector sizes = dims_arg(a[2], name, "the size");
    DimVector strides = dims_arg(a[3], name, "the stride");
    if (sizes.size() != strides.size())
      fail(name + ": size " + a[2].repr() + " and stride " + a[3].repr() + " have different lengths");
    bool requires_grad = false;
    if (!v1) {
      if (a[4].kind() != Value::Kind::Bool) fail(name + ": requires_grad must be a bool, got " + a[4].repr());
      requires_grad = a[4].to_bool();
      // a[5], the backward hooks, is ignored: hooks are code, and torch.save never writes any.
    }
    ScalarType dtype = st.dtype();
    if (v3) {
      const Value& d = a[6];
      if (d.kind() != Value::Kind::Global) fail(name + ": the dtype must be a torch dtype, got " + d.repr());
      const GlobalInfo* g = find_global(d.global_module(), d.global_name());
      if (!g || g->fn != GlobalFn::Dtype) fail(name + ": the dtype must be a torch dtype, got " + d.global_path());
      if (g->dtype == ScalarType::Undefined) fail(name + ": dtype " + d.global_path() + " is not supported by ember");
      dtype = g->dtype;
    }
    const size_t metadata_at = v3 ? 7 : 6;
    if (!v1 && a.size() > metadata_at) {
      const Value& m = a[metadata_at];
      if (m.kind() != Value::Kind::Dict) fail(name + ": the tensor metadata must be a dict, got " + m.repr());
      for (const char* bit : {"conj", "neg"}) {
        const Value* flag = m.to_dict().find(Value::string(bit));
        if (flag && flag->kind() == Value::Kind::Bool && flag->to_bool())
          fail(name + ": a tensor with the lazy '" + bit + "' bit set, which ember does not support");
      }
    }
    // The view must stay inside its storage (PyTorch's set_ checks the same).
    const size_t itemsize = element_size(dtype);
    const uint64_t storage_bytes = st.storage()->nbytes();
    uint64_t extent = 0, begin = 0, end = 0;
    try {
      extent = compute_storage_nbytes(sizes, strides, itemsize);
    } catch (const Error&) {
      fail(name + ": size " + a[2].repr() + " with stride " + a[3].repr() + " overflows");
    }
    if (__builtin_mul_overflow(static_cast<uint64_t>(offset), itemsize, &begin) ||
        __builtin_add_overflow(begin, extent, &end) || end > storage_bytes || begin > storage_bytes)
      fail(name + ": a " + dtype_name(dtype) + " view with offset " + std::to_string(offset) + ", size " +
           a[2].repr() + " and stride " + a[3].repr() + " reaches outside its storage of " +
           std::to_string(storage_bytes) + " bytes");
    Tensor t(make_intrusive<TensorImpl>(st.storage(), dtype, sizes, strides, offset));
    if (requires_grad) {
      if (!is_floating_point(dtype))
        fail(name + ": a " + dtype_name(dtype) + " tensor cannot require grad (only floating point tensors can)");
      t.requires_grad_(true);
    }
    return Value::tensor(std::move(t));
  }

  Value make_parameter(const Value& data, const Value& requires_grad, const std::string& fn) {
    if (data.kind() != Value::Kind::Tensor || data.tensor_kind() == TensorKind::Storage)
      fail(fn + ": the data must be a tensor, got " + data.repr());
    if (requires_grad.kind() != Value::Kind::Bool) fail(fn + ": requires_grad must be a bool, got " + requires_grad.repr());
    Tensor t = data.to_tensor();
    if (requires_grad.to_bool() != t.requires_grad()) {
      if (requires_grad.to_bool() && !is_floating_point(t.dtype()))
        fail(fn + ": a " + dtype_name(t.dtype()) + " parameter cannot require grad");
      t.requires_grad_(requires_grad.to_bool());
    }
    return Value::tensor(std::move(t), TensorKind::Parameter);
  }

  Value reduce(const Value& callable, const Value& args) {
    if (callable.kind() != Value::Kind::Global)
      fail(std::string("REDUCE on a ") + callable.type_name() + ", which is not callable");
    const GlobalInfo* g = find_global(callable.global_module(), callable.global_name());
    const std::string fn = callable.global_path();
    if (!g) fail("REDUCE of " + fn + " is not supported");
    switch (g->fn) {
      case GlobalFn::OrderedDict:
      case GlobalFn::Counter: {
        const ValueList& a = args_of(args, fn, 0, 1);
        Value d = container(Value::dict(g->fn == GlobalFn::OrderedDict));
        if (!a.empty()) {  // OrderedDict([(k, v), ...]) or Counter({k: v})
          if (a[0].kind() == Value::Kind::Dict) {
            for (const auto& [k, v] : a[0].to_dict().items) d.to_dict().set(k, v);
          } else if (a[0].kind() == Value::Kind::List || a[0].kind() == Value::Kind::Tuple) {
            for (const Value& pair : a[0].items()) {
              if ((pair.kind() != Value::Kind::Tuple && pair.kind() != Value::Kind::List) || pair.items().size() != 2)
                fail(fn + ": expected (key, value) pairs, got " + pair.repr());
              set_item(d, pair.items()[0], pair.items()[1]);
            }
          } else {
            fail(fn + ": cannot build from a " + a[0].type_name());
          }
        }
        return d;
      }
      case GlobalFn::Size: {
        const ValueList& a = args_of(args, fn, 0, 1);
        ValueList dims;
        if (!a.empty()) {
          if (a[0].kind() != Value::Kind::Tuple && a[0].kind() != Value::Kind::List)
            fail(fn + ": expected a tuple of ints, got " + a[0].repr());
          for (const Value& d : a[0].items()) {
            if (d.kind() != Value::Kind::Int) fail(fn + ": expected ints, got " + a[0].repr());
            dims.push_back(d);
          }
        }
        return Value::tuple(std::move(dims));
      }
      case GlobalFn::Device: {
        const ValueList& a = args_of(args, fn, 1, 2);
        if (a[0].kind() != Value::Kind::Str) fail(fn + ": expected a device type string, got " + a[0].repr());
        std::string d = a[0].to_str();
        if (a.size() == 2 && !a[1].is_none()) d += ":" + std::to_string(int_arg(a[1], fn, "the device index"));
        return Value::string(d);
      }
      case GlobalFn::RebuildTensor:
      case GlobalFn::RebuildTensorV2:
      case GlobalFn::RebuildTensorV3: return rebuild_tensor(g->fn, args);
      case GlobalFn::RebuildParameter: {
        const ValueList& a = args_of(args, fn, 3, 3);
        return make_parameter(a[0], a[1], fn);
      }
      case GlobalFn::RebuildParameterWithState: {
        // The 4th argument holds Python attributes set on the Parameter; ember has none to set.
        const ValueList& a = args_of(args, fn, 4, 4);
        return make_parameter(a[0], a[1], fn);
      }
      case GlobalFn::RebuildFromTypeV2: {
        // (func, new_type, args, state): how 2.x pickles tensors that carry Python attributes.
        const ValueList& a = args_of(args, fn, 4, 4);
        const Value &func = a[0], &type = a[1];
        if (func.kind() != Value::Kind::Global) fail(fn + ": the rebuild function must be a global, got " + func.repr());
        const GlobalInfo* f = find_global(func.global_module(), func.global_name());
        if (!f || (f->fn != GlobalFn::RebuildTensor && f->fn != GlobalFn::RebuildTensorV2 &&
                   f->fn != GlobalFn::RebuildTensorV3))
          fail(fn + ": unsupported rebuild function " + func.global_path());
        if (type.kind() != Value::Kind::Global) fail(fn + ": the type must be a global, got " + type.repr());
        const GlobalInfo* t = find_global(type.global_module(), type.global_name());
        if (!t || (t->fn != GlobalFn::TensorClass && t->fn != GlobalFn::ParameterClass))
          fail(fn + ": tensor subclass " + type.global_path() + " is not supported");
        Value r = rebuild_tensor(f->fn, a[2]);
        if (t->fn == GlobalFn::ParameterClass) return Value::tensor(r.to_tensor(), TensorKind::Parameter);
        return r;
      }
      default: break;
    }
    fail("REDUCE of " + fn + " is not supported (it is not a function ember's loader can call)");
  }

  Value newobj(const Value& cls, const Value& args) {
    if (cls.kind() == Value::Kind::Global) {
      const GlobalInfo* g = find_global(cls.global_module(), cls.global_name());
      if (g && g->fn == GlobalFn::ParameterClass) {  // Parameter.__new__(Parameter, data[, requires_grad])
        const ValueList& a = args_of(args, cls.global_path(), 1, 2);
        return make_parameter(a[0], a.size() == 2 ? a[1] : Value::boolean(true), cls.global_path());
      }
      fail("NEWOBJ of " + cls.global_path() + " is not supported (only torch.nn.Parameter)");
    }
    fail(std::string("NEWOBJ on a ") + cls.type_name());
  }

  void build(const Value& target, const Value& state) {
    if (target.kind() == Value::Kind::Dict) {
      // An OrderedDict's instance dict (a state_dict's `_metadata`), possibly as the
      // (state, slotstate) pair CPython's BUILD also takes.
      auto set_attributes = [&](const Value& s) {
        if (s.is_none()) return;
        if (s.kind() != Value::Kind::Dict) fail(std::string("BUILD state must be a dict, got ") + s.type_name());
        for (const auto& [k, v] : s.to_dict().items) {
          if (k.kind() != Value::Kind::Str) fail("BUILD: attribute names must be strings, got " + k.repr());
          auto& attrs = target.to_dict().attributes;
          const std::string& name = k.to_str();
          auto it = std::find_if(attrs.begin(), attrs.end(), [&name](const auto& a) { return a.first == name; });
          if (it != attrs.end()) it->second = v;
          else attrs.emplace_back(name, v);
        }
      };
      if (state.kind() == Value::Kind::Tuple && state.items().size() == 2) {
        set_attributes(state.items()[0]);
        set_attributes(state.items()[1]);
      } else {
        set_attributes(state);
      }
      return;
    }
    if (target.kind() == Value::Kind::Tensor && target.tensor_kind() != TensorKind::Storage) {
      // Tensor/Parameter.__setstate__ of Python attributes: nothing for ember to keep.
      if (state.is_none() || state.kind() == Value::Kind::Dict || state.kind() == Value::Kind::Tuple) return;
    }
    fail(std::string("BUILD on a ") + target.type_name() + " is not supported");
  }

  // The result may not nest deeper than kMaxDepth, contain a cycle, or hold a bare storage.
  // Checked without recursion, visiting each container once (shared ones too).
  void check_result(const Value& root) {
    struct Frame {
      const Value* v;
      size_t next;
      int height;  // deepest child seen so far
    };
    std::unordered_map<const void*, int> height;  // finished containers -> their height
    std::unordered_set<const void*> on_path;
    std::vector<Frame> path;
    auto child = [](const Value& v, size_t i) -> const Value* {
      if (v.kind() == Value::Kind::Dict) {
        const DictData& d = v.to_dict();
        if (i < 2 * d.items.size()) return i % 2 ? &d.items[i / 2].second : &d.items[i / 2].first;
        i -= 2 * d.items.size();
        return i < d.attributes.size() ? &d.attributes[i].second : nullptr;
      }
      return i < v.items().size() ? &v.items()[i] : nullptr;
    };
    auto leaf = [&](const Value& v) {
      if (v.kind() == Value::Kind::Tensor && v.tensor_kind() == TensorKind::Storage)
        fail_at(pos_, "the checkpoint holds a bare storage, which ember cannot return (only tensors over one)");
      return v.kind() != Value::Kind::List && v.kind() != Value::Kind::Tuple && v.kind() != Value::Kind::Dict;
    };
    if (leaf(root)) return;
    path.push_back({&root, 0, 0});
    on_path.insert(root.container_id());
    while (!path.empty()) {
      Frame& f = path.back();
      const Value* c = child(*f.v, f.next++);
      if (!c) {
        int h = f.height + 1;
        if (h > kMaxDepth) fail_at(pos_, "the object nests deeper than " + std::to_string(kMaxDepth) + " levels");
        const void* id = f.v->container_id();
        height[id] = h;
        on_path.erase(id);
        path.pop_back();
        if (!path.empty()) path.back().height = std::max(path.back().height, h);
        continue;
      }
      if (leaf(*c)) continue;
      const void* id = c->container_id();
      if (on_path.count(id)) fail_at(pos_, "the object contains a reference cycle (a container inside itself)");
      if (auto it = height.find(id); it != height.end()) {
        f.height = std::max(f.height, it->second);
        continue;
      }
      if (path.size() >= static_cast<size_t>(kMaxDepth))
        fail_at(pos_, "the object nests deeper than " + std::to_string(kMaxDepth) + " levels");
      on_path.insert(id);
      path.push_back({c, 0, 0});
    }
  }

  std::string_view in_;
  size_t pos_ = 0, op_pos_ = 0;
  uint8_t op_ = 0;
  const PersistentLoad& persistent_load_;
  const std::string& context_;
  std::vector<Value> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, Value> memo_;
  std::vector<Value> containers_;
  bool succeeded_ = false;
};

}  // namespace

Value loads(std::string_view bytes, const PersistentLoad& persistent_load, const std::string& context) {
  return Unpickler(bytes, persistent_load, context).run();
}

}  // namespace ember::pickle
