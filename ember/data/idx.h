#pragma once
// IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.
#include <string>

#include "ember/core/tensor.h"

namespace ember::data {

// Reads an IDX file into a tensor of its stored dtype and shape (uint8 [N, 28, 28] for
// MNIST images). Validates the magic number, the dimension count and that the payload size
// matches the header; errors name the file and what is wrong.
Tensor read_idx(const std::string& path);

}  // namespace ember::data
