#include "ember/nn/utils/convert_parameters.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/shape.h"

namespace ember::nn::utils {

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> views;
  for (const Tensor& p : parameters) views.push_back(p.view({-1}));
  return cat(views);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  EMBER_CHECK_TYPE(vec.defined(), "expected torch.Tensor, but got: undefined");
  int64_t pointer = 0;
  for (const Tensor& p : parameters) {
    const int64_t n = p.numel();
    // slice clamps at the end, so a short vec gives fewer elements and view_as reports it.
    p.set_data(vec.slice(0, pointer, pointer + n).view_as(p).detach());
    pointer += n;
  }
}

}  // namespace ember::nn::utils
