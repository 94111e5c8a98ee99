#pragma once
// The library-agnostic half of the differential fuzzer: a seeded RNG, tensor recipes
// (TensorSpec), random programs (Program = inputs + steps), op parameters (Params), the
// copied-out result of an op (Snapshot) and the PyTorch-ish listing printer. Nothing here
// includes ember or LibTorch, so the ember-only fuzzer and the differential one share it.
#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

// The dtypes both libraries have, in promotion order.
enum class DType : uint8_t { Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64 };
constexpr int kNumDTypes = 10;

const char* dtype_name(DType t);  // "float32"
const char* dtype_cpp(DType t);   // "torch::kFloat32", the spelling used in listings
constexpr bool is_floating(DType t) { return t >= DType::Float16; }
constexpr bool is_integral(DType t) { return t >= DType::UInt8 && t <= DType::Int64; }
constexpr bool is_reduced_float(DType t) { return t == DType::Float16 || t == DType::BFloat16; }
size_t element_size(DType t);

// Element <-> bytes in the layout both libraries use (IEEE half, bfloat16 as the top half
// of a float, bool as one byte 0/1). `encode` rounds to nearest-even for the 16-bit floats
// and saturates nothing: values are generated in range.
void encode(DType t, double v, void* out);
long double decode(DType t, const void* in);
// The value a number has once stored in dtype t (what the listing shows).
double quantize(DType t, double v);

// splitmix64: small, fast, and the same stream on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  uint64_t next();
  int64_t uniform(int64_t lo, int64_t hi);  // inclusive
  double real();                            // [0, 1)
  double normal();
  bool chance(double p) { return real() < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(uniform(0, static_cast<int64_t>(v.size()) - 1))]; }
  uint64_t fork() { return next(); }  // a seed for an independent sub-stream

 private:
  uint64_t state_;
};

// A tensor built from numbers: `storage` holds the values of a fresh buffer (already
// quantized to dtype), viewed with sizes/strides from element 0. `layout` names how the
// strides were made, for the listing.
struct TensorSpec {
  DType dtype = DType::Float32;
  std::vector<int64_t> sizes, strides;
  std::vector<double> storage;
  bool requires_grad = false;
  std::string layout = "contiguous";
  int64_t numel() const;
};
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& sizes);
// Number of storage elements a (sizes, strides) view needs (0 when it has no elements).
int64_t storage_extent(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides);

// How the value generator fills a tensor.
enum class Values {
  Mixed,     // normal values, sometimes with NaN/+-inf/+-0 and repeats
  Normal,    // normal values only
  Unit,      // in [0, 1] (probabilities)
  Positive,  // in (0.1, 3)
  Ones,      // 1 (upstream gradients of minimised programs stay readable)
};
// Random layout (contiguous, transposed, stepped, expanded) over the given sizes.
TensorSpec random_tensor(Rng& rng, DType dtype, const std::vector<int64_t>& sizes, Values values = Values::Mixed,
                         bool allow_layouts = true);
// Contiguous tensor with given values.
TensorSpec tensor_of(DType dtype, const std::vector<int64_t>& sizes, const std::vector<double>& values);
std::vector<int64_t> random_sizes(Rng& rng, int min_rank = 0, int max_rank = 4);
DType random_dtype(Rng& rng);

// Everything a parameter planner may know about an operand: what both libraries agree on
// before the op runs.
struct Meta {
  DType dtype = DType::Float32;
  std::vector<int64_t> sizes;
  bool requires_grad = false;
  bool contiguous = true;  // (only known-bug rules look at layouts)
  int64_t rank() const { return static_cast<int64_t>(sizes.size()); }
  int64_t numel() const;
};

// A number argument with its kind, which takes part in type promotion.
struct ScalarArg {
  enum Kind : uint8_t { Bool, Int, Float } kind = Float;
  double v = 0;
  std::string str() const;
};
ScalarArg random_scalar(Rng& rng, DType like);

// An op's parameters, drawn by its planner from a step's own RNG stream and the operands'
// metadata, then applied identically in both libraries.
struct Params {
  std::vector<int64_t> i;                // dims, sizes, flags
  std::vector<double> f;                 // real parameters
  std::vector<ScalarArg> s;              // number operands
  std::vector<std::vector<int64_t>> l;   // int lists (dims, shapes, pads)
  std::vector<TensorSpec> aux;           // extra tensor arguments, made fresh for this step
  DType dt = DType::Float32;             // a dtype argument, where the op has one
  int form = 0;                          // which overload / spelling
  int primary = 0;                       // which output becomes the step's value
  bool skip_grad = false;                // the planner knows the VJP is not comparable
};

// One step: the op (an index into the catalogue), its operands (value numbers: inputs
// first, then one value per earlier step) and the seed of its planner's stream.
struct Step {
  int op = 0;
  std::vector<int> refs;
  uint64_t seed = 0;
};

struct Program {
  uint64_t seed = 0;
  std::vector<TensorSpec> inputs;
  std::vector<Step> steps;
  int num_values() const { return static_cast<int>(inputs.size() + steps.size()); }
};

// What the generator needs to know about an op.
struct OpSig {
  const char* name;
  const char* family;
  int arity;
};

// Note [Program shape]
// A program has 1-3 inputs and 3-8 steps; every step adds exactly one value (its primary
// output, or its first operand when it throws), so value numbers are known when the
// program is generated and steps can be dropped by renumbering (minimize). Operands
// favour the newest values, so steps chain. Parameters are drawn later, when the operand
// shapes are known (Params), from each step's own seed: a program stays reproducible
// from its seed alone, and a shrunk input still gets parameters that fit it.
Program generate(uint64_t seed, const std::vector<OpSig>& ops, const std::vector<int>& allowed);

// ---- listing ---------------------------------------------------------------------------
std::string spec_listing(const std::string& name, const TensorSpec& s);
std::string list_str(const std::vector<int64_t>& v);  // {2, 3}
std::string real_str(double v);                       // 0.5, NAN, -INFINITY

// ---- results ---------------------------------------------------------------------------
// A tensor copied out of either library (row-major values; long double holds every int64
// and every float exactly).
struct Snapshot {
  bool defined = false;
  DType dtype = DType::Float32;
  std::vector<int64_t> sizes;
  std::vector<long double> values;
  bool requires_grad = false;
};
Snapshot read_strided(const void* data, DType dtype, const std::vector<int64_t>& sizes,
                      const std::vector<int64_t>& strides, bool requires_grad);
std::string snapshot_str(const Snapshot& s, size_t max_values = 24);
std::string sizes_str(const std::vector<int64_t>& v);  // [2, 3]

}  // namespace fuzz
