#pragma once
// Flattening parameters: torch::nn::utils::parameters_to_vector / vector_to_parameters.
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn::utils {

// All parameters flattened and concatenated into one 1-D tensor (a copy).
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);

// Makes each parameter's data the next slice of `vec` (viewed in the parameter's shape;
// the parameters then share vec's memory, as PyTorch's param.data = ... does). A vec too
// short fails with PyTorch's view error ("shape '[2, 3]' is invalid for input of size 4").
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace ember::nn::utils
