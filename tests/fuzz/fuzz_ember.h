#pragma once
// ember's side of the fuzzer: the library policy (Note [One catalogue, two libraries]) and
// a program runner that steps through a Program in ember, used alone by ember_fuzz_self and
// as the leading half of every step by ember_fuzz. Compiles without LibTorch.
#include <exception>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "fuzz_ops.h"
#include "fuzz_runner.h"

namespace fuzz {

struct EmberLib {
  using Tensor = ember::Tensor;

  static ember::ScalarType dtype(DType t);
  static DType from_dtype(ember::ScalarType t);
  static ember::Scalar scalar(const ScalarArg& s);

  // The calls whose spelling differs between the libraries.
  static Tensor clamp(const Tensor& x, const ScalarArg* lo, const ScalarArg* hi);
  static Tensor clamp_tensors(const Tensor& x, const Tensor& lo, const Tensor& hi);  // undefined: no bound
  static Tensor var(const Tensor& x, const std::vector<int64_t>* dims, int64_t correction, bool keepdim, bool is_std);
  static Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const char* reduce);
  static Tensor index(const Tensor& x, const std::vector<Tensor>& indices, bool tensor_index_form);
  static Tensor index_put(Tensor x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate);
  static Tensor functional(Act a, const Tensor& x, const Params& p);
  static Tensor loss(Loss k, const Tensor& input, const Tensor& target, const Tensor& weight, const Tensor& pos_weight,
                     const Params& p);
  static Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, int64_t mode, double value);
  static Tensor normalize(const Tensor& x, double p, int64_t dim, double eps);
  static Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim, double eps);
  static Tensor pairwise_distance(const Tensor& a, const Tensor& b, double p, double eps, bool keepdim);

  // Runner support.
  static Tensor from_raw(const void* data, DType dtype, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, bool requires_grad);
  static Snapshot snapshot(const Tensor& t);
  static std::vector<Tensor> grad(const std::vector<Tensor>& outs, const std::vector<Tensor>& ins,
                                  const std::vector<Tensor>& gouts);
  static std::string message(const std::exception& e) { return e.what(); }
};

// Defined once, in fuzz_ember.cpp.
extern template const std::vector<OpDef<EmberLib>>& catalogue<EmberLib>();

Meta meta_of(const ember::Tensor& t);
// A fresh tensor with t's values, sizes and strides (its own storage and no history).
ember::Tensor fresh_copy(const ember::Tensor& t, bool requires_grad);

// The ember half of one step (Note [Step isolation]).
struct EmberStep {
  int index = 0;
  const OpDef<EmberLib>* op = nullptr;
  Params params;
  std::vector<Meta> metas;
  std::vector<ember::Tensor> args;
  Forward<EmberLib> fwd;
  // The VJP: which outputs and arguments take part, and the upstream gradients.
  std::vector<int> grad_outs, grad_ins;
  std::vector<TensorSpec> upstream;
  Backward<EmberLib> bwd;
};

// Listings (PyTorch C++ spelling): the program's inputs, and step k's fresh tensors and
// statement. Value n is `vn`; step k's j-th fresh tensor is `vn_aj` for its value n.
std::string inputs_listing(const Program& p);
std::string step_listing(const EmberStep& s, const Program& p);

// What ember computes for value v of a program, as a contiguous input recipe (minimize).
TensorSpec value_as_spec(const Program& p, int v);

// Note [Step isolation]
// Every step starts from copies: its operands are fresh leaf tensors with the values,
// sizes and strides of the program values they stand for (requiring grad when those do),
// and the same bytes are mirrored into LibTorch. So a step's VJP is the op's own, rounding
// differences never compound from step to step, and an op writing in place cannot touch a
// program value. The value a step adds to the program is ember's primary output (or its
// first operand when ember throws), so both libraries always see the same inputs.
class EmberRun {
 public:
  explicit EmberRun(const Program& program);
  const Program& program() const { return program_; }
  const std::vector<ember::Tensor>& values() const { return values_; }

  // Plans step k and builds its arguments.
  EmberStep prepare(int k) const;
  void forward(EmberStep& s) const;
  // Picks the VJP's outputs (those requiring grad) and inputs (arguments requiring grad) and
  // draws upstream gradients; false when there is nothing to differentiate.
  bool plan_backward(EmberStep& s) const;
  void backward(EmberStep& s) const;
  // Adds the step's value to the program.
  void commit(const EmberStep& s);

 private:
  const Program& program_;
  std::vector<ember::Tensor> values_;
};

}  // namespace fuzz
