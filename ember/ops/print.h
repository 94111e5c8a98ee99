#pragma once
// Printing tensors exactly as PyTorch's Python repr does (torch/_tensor_str.py, 1.13):
//   tensor([[1., 2.],
//           [3., 4.]])
// Tensor::repr(), operator<< and ember::print all produce this text. The options are
// process-global, like Python's torch._tensor_str.PRINT_OPTS.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "ember/core/tensor.h"

namespace ember {

struct PrintOptions {
  int64_t precision = 4;      // digits after the point (fixed) or in the mantissa (sci)
  double threshold = 1000;    // more elements than this are summarised with "..."
  int64_t edgeitems = 3;      // items kept at each end of a summarised dimension
  int64_t linewidth = 80;     // where 1-D rows wrap and suffixes move to a new line
  std::optional<bool> sci_mode;  // unset: chosen per tensor from its values
};

// torch.set_printoptions: every given argument overrides; `profile` ("default", "short",
// "full") first resets the four numeric options. As in PyTorch, sci_mode is always
// replaced, so leaving it out returns to automatic choice.
void set_printoptions(std::optional<int64_t> precision = std::nullopt,
                      std::optional<double> threshold = std::nullopt,
                      std::optional<int64_t> edgeitems = std::nullopt,
                      std::optional<int64_t> linewidth = std::nullopt,
                      const std::optional<std::string>& profile = std::nullopt,
                      std::optional<bool> sci_mode = std::nullopt);
// Replaces all options at once (e.g. to restore a value from get_printoptions()).
void set_printoptions(const PrintOptions& options);
PrintOptions get_printoptions();

// The autograd engine registers this so that non-leaf tensors print `grad_fn=<MulBackward0>`:
// it returns the name of the tensor's grad_fn node, or "" when it has none. Printing does
// not depend on autograd/ (the layers below it must not), hence a plain function pointer.
using GradFnNameHook = std::string (*)(const Tensor&);
void set_grad_fn_name_hook(GradFnNameHook hook);
GradFnNameHook get_grad_fn_name_hook();

// Writes t.repr() to os.
std::ostream& print(std::ostream& os, const Tensor& t);

}  // namespace ember
