// The derivative table, reductions part.
#include "ember/autograd/derivatives.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::autograd {

namespace {
// Puts back the reduced dims (as size 1) of a gradient reduced without keepdim, then
// expands it to the input's shape.
Tensor unreduce(const Tensor& g, IntArrayRef input_sizes, IntArrayRef dims, bool keepdim) {
  Tensor r = g;
  if (!keepdim && !dims.empty()) {
    DimVector sorted;
    for (int64_t d : dims) sorted.push_back(maybe_wrap_dim(d, static_cast<int64_t>(input_sizes.size())));
    std::sort(sorted.begin(), sorted.end());
    for (int64_t d : sorted) r = r.unsqueeze(d);
  }
  return r.expand(input_sizes);
}

// shape0: input sizes; shape1: reduced dims (empty: all); i0: keepdim; i1: element count.
variable_list sum_formula(OpNode& n, const variable_list& grads) {
  DimVector dims = n.shape1;
  if (dims.empty())
    for (size_t d = 0; d < n.shape0.size(); ++d) dims.push_back(static_cast<int64_t>(d));
  Tensor g = grads[0];
  if (n.shape1.empty()) g = g.reshape(DimVector(n.shape0.size(), 1));  // all-reduce: 0-dim grad
  Tensor r = unreduce(g, n.shape0, n.shape1.empty() ? IntArrayRef() : IntArrayRef(dims), n.i0 != 0 || n.shape1.empty());
  if (n.code == 1) r = r / static_cast<double>(n.i1);  // mean
  return {r.to(n.dtype0)};
}
}  // namespace

void record_sum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all, bool mean) {
  if (!should_record({&self})) return;
  const char* name = mean ? (all ? "MeanBackward0" : "MeanBackward1") : (all ? "SumBackward0" : "SumBackward1");
  auto node = make_node(name, sum_formula, {&self});
  node->code = mean ? 1 : 0;
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  if (!all) node->shape1 = DimVector(dims.begin(), dims.end());
  node->i0 = keepdim;
  int64_t count = 1;
  if (all) count = self.numel();
  else for (int64_t d : dims) count *= self.sizes()[maybe_wrap_dim(d, self.dim())];
  node->i1 = count;
  node->dtype0 = self.dtype();
  set_history(result, node);
}

}  // namespace ember::autograd
