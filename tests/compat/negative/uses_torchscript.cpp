// Must not compile: TorchScript is outside ember::torch_compat (Note [No TorchScript]).
// The test compat.torchscript_is_refused expects the build to stop with the static_assert
// that names torch::jit, not with template errors.
#include <torch/script.h>

int main() {
  torch::jit::script::Module module = torch::jit::load("model.pt");
  return 0;
}
