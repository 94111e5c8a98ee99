// Reductions. (Placeholder: only all(); the full family replaces this file.)
#include "ember/core/tensor.h"
#include "ember/ops/factory.h"

namespace ember {

Tensor Tensor::all() const {
  Tensor b = to(kBool).contiguous();
  const bool* p = b.data_ptr<bool>();
  bool r = true;
  for (int64_t i = 0; i < b.numel() && r; ++i) r = p[i];
  return scalar_tensor(r, kBool);
}

}  // namespace ember
