#pragma once
// IValue: a dynamically typed value tree (LibTorch's c10::IValue, reduced to what ember's
// state dicts need): None, bool, int64, double, string, Tensor, list, tuple and an
// insertion-ordered dict. Optimizer and scheduler state_dict()s are IValue trees laid out
// as PyTorch's Python dicts, so a serializer can write them to .pt without knowing the
// optimizers.
//
// Note [IValue reference semantics]
// Lists, tuples and dicts are held by shared pointer, like Python objects: copying an
// IValue copies a reference, and a mutation through one copy is seen through the others.
// deepcopy() makes an independent tree (tensors cloned), as Python's copy.deepcopy.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/tensor.h"

namespace ember {

class IValue;
class Dict;
using GenericList = std::vector<IValue>;

class IValue {
 public:
  enum class Tag : uint8_t { None, Bool, Int, Double, String, Tensor, List, Tuple, Dict };

  IValue() = default;
  IValue(std::nullopt_t) {}
  IValue(bool v) : v_(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  IValue(T v) : v_(static_cast<int64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  IValue(T v) : v_(static_cast<double>(v)) {}
  IValue(std::string v) : v_(std::move(v)) {}
  IValue(const char* v) : v_(std::string(v)) {}
  IValue(Tensor v) : v_(std::move(v)) {}
  IValue(GenericList v);  // a list
  IValue(const std::vector<int64_t>& v);
  IValue(const std::vector<double>& v);
  IValue(const std::vector<Tensor>& v);
  IValue(Dict d);
  template <class T>
  IValue(const std::optional<T>& v) {
    if (v) *this = IValue(*v);
  }
  static IValue tuple(GenericList items);
  static IValue list(GenericList items = {}) { return IValue(std::move(items)); }
  static IValue dict();

  Tag tag() const {
    static constexpr Tag kByIndex[] = {Tag::None, Tag::Bool, Tag::Int, Tag::Double, Tag::String, Tag::Tensor, Tag::List, Tag::Dict};
    Tag t = kByIndex[v_.index()];
    return (t == Tag::List && tuple_) ? Tag::Tuple : t;
  }
  const char* type_name() const;  // "None", "bool", "int", "float", "str", "Tensor", "list", "tuple", "dict"
  bool isNone() const { return tag() == Tag::None; }
  bool isBool() const { return tag() == Tag::Bool; }
  bool isInt() const { return tag() == Tag::Int; }
  bool isDouble() const { return tag() == Tag::Double; }
  bool isNumber() const { return tag() == Tag::Int || tag() == Tag::Double; }
  bool isString() const { return tag() == Tag::String; }
  bool isTensor() const { return tag() == Tag::Tensor; }
  bool isList() const { return tag() == Tag::List; }
  bool isTuple() const { return tag() == Tag::Tuple; }
  bool isDict() const { return tag() == Tag::Dict; }

  bool toBool() const { return get<bool>("bool"); }
  int64_t toInt() const { return get<int64_t>("int"); }
  double toDouble() const;  // an int converts, as Python's float(int)
  const std::string& toStringRef() const { return get<std::string>("str"); }
  const Tensor& toTensor() const { return get<Tensor>("Tensor"); }
  // The items of a list or a tuple.
  GenericList& toList() const;
  Dict& toDict() const;
  std::vector<int64_t> toIntVector() const;
  std::vector<double> toDoubleVector() const;
  std::vector<Tensor> toTensorVector() const;

  // A new tree with its own containers and cloned tensors (Note [IValue reference semantics]).
  IValue deepcopy() const;
  // Python's repr (floats shortest round-trip, dict keys quoted); tensors print as
  // tensor_repr(t), by default "Tensor(shape=[2, 3], dtype=float64)".
  std::string repr() const;

  // Keys compare by value for None, bool, int, float and str.
  bool key_equals(const IValue& o) const;

 private:
  template <class T>
  const T& get(const char* want) const {
    auto p = std::get_if<T>(&v_);
    EMBER_CHECK(p, "IValue: expected ", want, " but got ", type_name());
    return *p;
  }
  std::variant<std::monostate, bool, int64_t, double, std::string, Tensor, std::shared_ptr<GenericList>,
               std::shared_ptr<Dict>>
      v_;
  bool tuple_ = false;  // a List that is a Python tuple
};

// An insertion-ordered dict with IValue keys (Python's dict). Small: linear lookup.
class Dict {
 public:
  using Item = std::pair<IValue, IValue>;
  Dict() = default;
  Dict(std::initializer_list<Item> items);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  bool contains(const IValue& key) const { return find(key) != nullptr; }
  IValue* find(const IValue& key);
  const IValue* find(const IValue& key) const;
  // Throws IndexError ("KeyError: 'lr'") when the key is missing.
  IValue& at(const IValue& key);
  const IValue& at(const IValue& key) const;
  // Inserts None when missing (Python's d[k] = ... then reads).
  IValue& operator[](const IValue& key);
  void insert_or_assign(IValue key, IValue value);
  // Inserts only when missing (Python's setdefault); returns the stored value.
  IValue& setdefault(IValue key, IValue value);
  bool erase(const IValue& key);
  void clear() { items_.clear(); }

  std::vector<Item>::iterator begin() { return items_.begin(); }
  std::vector<Item>::iterator end() { return items_.end(); }
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
};

// Python's repr of a float: shortest round-trip digits, exponent form outside [1e-4, 1e16).
std::string python_float_repr(double v);

std::ostream& operator<<(std::ostream& os, const IValue& v);

}  // namespace ember
