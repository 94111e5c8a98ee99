#pragma once
// The pickle layer of PyTorch's checkpoints (reference/formats-rng.md 1.4-1.10): the
// Python objects a checkpoint holds, a protocol-2 writer that pickles them as torch.save
// does, and a restricted reader that accepts only what torch.load(weights_only=True)
// accepts. serialize.h puts them in the ZIP container; most code wants ember::save /
// ember::load from there, which work on ember::IValue.
//
// pickle::Value is the exact content of a checkpoint, where IValue is the convenient one:
// it keeps what IValue cannot hold and Python code can see: whether a dict was an
// OrderedDict and its attributes (the `_metadata` of a module's state_dict), whether a
// tensor was an nn.Parameter, and references to globals such as dtypes (`torch.float32`).
// The Python binding converts to and from it, so ember.load gives back an OrderedDict
// where torch.load would.
//
// Note [Unpickler safety]
// The reader runs no code and imports nothing: a GLOBAL opcode produces a name, which is
// looked up in a fixed table of what ember can build (OrderedDict, the tensor and
// parameter rebuild functions, storage classes, dtypes, torch.Size, torch.device); any
// other name fails with "Unsupported global: GLOBAL <module>.<name> ...", as torch's
// weights_only loader does, and sys/os/posix/nt are never looked up at all. Only the
// opcodes of weights_only's list (plus the data-only opcodes of protocols 3 and 4, which
// torch.save(..., pickle_protocol=4) writes) are accepted. The input is hostile:
// every length is checked against the bytes left before anything is allocated, memo
// indices go to a hash map (a LONG_BINPUT of 4e9 allocates nothing), the result may not
// nest deeper than kMaxDepth (checked without recursion) and may not contain reference
// cycles, and shared sub-objects stay shared, so a "billion laughs" pickle of nested
// references costs memory proportional to its size, not to its expansion.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/core/ivalue.h"
#include "ember/core/tensor.h"

namespace ember::pickle {

// Deepest nesting of containers a loaded object may have (torch's own files nest < 10).
constexpr int kMaxDepth = 1000;

class Value;
using ValueList = std::vector<Value>;

// A dict or an OrderedDict: items in insertion order, keys None, bool, int, float, str
// or tuples of those (compared as Python compares them, so 1, 1.0 and True are one key).
struct DictData {
  std::vector<std::pair<Value, Value>> items;
  bool ordered = false;  // collections.OrderedDict
  // Instance attributes (an OrderedDict's __dict__, e.g. a state_dict's `_metadata`).
  std::vector<std::pair<std::string, Value>> attributes;

  // Python's d[key] = value: replaces the value of an equal key, else appends.
  void set(Value key, Value value);
  const Value* find(const Value& key) const;
  const Value* attribute(const std::string& name) const;

 private:
  std::unordered_map<std::string, size_t> index_;  // hash_key(key) -> position in items
};

enum class TensorKind : uint8_t {
  Plain,      // torch.Tensor
  Parameter,  // torch.nn.Parameter
  Storage,    // a bare storage (loaded as a 1-D tensor over it; only inside the reader)
};

class Value {
 public:
  enum class Kind : uint8_t { None, Bool, Int, Float, Str, Tensor, List, Tuple, Dict, Global };

  Value() = default;  // None
  static Value none() { return Value(); }
  static Value boolean(bool v);
  static Value integer(int64_t v);
  static Value floating(double v);
  static Value string(std::string v);
  static Value tensor(Tensor t, TensorKind kind = TensorKind::Plain);
  static Value list(ValueList items = {});
  static Value tuple(ValueList items = {});
  static Value dict(bool ordered = false);
  // A reference to a Python global, "module" + "name" (torch + float32).
  static Value global(std::string module, std::string name);

  Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Kind::None; }
  const char* type_name() const;  // Python's: "NoneType", "bool", "int", "float", "str", ...

  bool to_bool() const;
  int64_t to_int() const;
  double to_float() const;  // an int converts
  const std::string& to_str() const;
  const Tensor& to_tensor() const;
  TensorKind tensor_kind() const;
  // Items of a list or a tuple (shared: Note [IValue reference semantics] holds here too).
  ValueList& items() const;
  DictData& to_dict() const;
  const std::string& global_module() const;
  const std::string& global_name() const;
  std::string global_path() const { return global_module() + "." + global_name(); }

  // Identity of a container (for memoised walks); null for scalars.
  const void* container_id() const { return ptr_.get(); }

  // Converts from/to IValue. to_ivalue drops what IValue cannot hold (OrderedDict-ness,
  // attributes, Parameter-ness) and throws ember::Error for globals; shared containers
  // stay shared. from_ivalue makes plain dicts.
  static Value from_ivalue(const IValue& v);
  IValue to_ivalue() const;

  // Python's repr, for messages and tests (tensors as "tensor(shape=[2, 3], dtype=float32)").
  std::string repr() const;

 private:
  Kind kind_ = Kind::None;
  bool b_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  TensorKind tensor_kind_ = TensorKind::Plain;
  std::shared_ptr<void> ptr_;  // std::string, Tensor, ValueList, DictData, or a (module, name) pair
};

// A key under which Python would find `v` in a dict, or "" if `v` is unhashable.
std::string hash_key(const Value& v);

// ---- writing --------------------------------------------------------------------------

// The storages a pickle refers to, in the order of their keys ("0", "1", ...): each
// distinct StorageImpl once, with the dtype its tensors view it as.
struct StorageRef {
  Storage storage;
  ScalarType dtype;
  uint64_t numel;
};

// Pickles `v` with protocol 2, as torch.save does: tensors become
// torch._utils._rebuild_tensor_v2 with a persistent id ('storage', torch.<T>Storage, key,
// 'cpu', numel); parameters wrap that in _rebuild_parameter; OrderedDicts reduce with their
// attributes set by BUILD. Appends the storages it meets to `storages` (keys continue from
// storages.size()). Throws ember::Error (message begins with `context`) for undefined or
// non-CPU tensors, one storage viewed with two dtypes, strings that are not UTF-8, or
// nesting deeper than kMaxDepth (a reference cycle).
std::string dumps(const Value& v, std::vector<StorageRef>& storages, const std::string& context = "save: ");

// ---- reading --------------------------------------------------------------------------

// Called for each BINPERSID with the persistent id (a tuple); returns the object it names
// (for checkpoints: a TensorKind::Storage tensor). Throws to reject.
using PersistentLoad = std::function<Value(const Value& pid)>;

// Unpickles `bytes` under Note [Unpickler safety]. Every error is an ember::Error whose
// message begins with `context` (e.g. "load: model.pt: data.pkl: ") and names the opcode
// and byte offset where that helps. Storages may appear only as the first argument of a
// tensor rebuild; a persistent id with no `persistent_load` is an error.
Value loads(std::string_view bytes, const PersistentLoad& persistent_load, const std::string& context);

}  // namespace ember::pickle
