#pragma once
// LibTorch's torch::save / torch::load overloads, on top of the .pt format of serialize.h:
//
//   ember::save(model, "model.pt");          // a module holder or shared_ptr: its state_dict
//   ember::load(model, "model.pt");          // copies the values into the existing parameters
//   ember::save(optimizer, "optim.pt");      // optimizer.state_dict()
//   ember::load(optimizer, "optim.pt");
//   ember::save(tensor, "t.pt");  ember::load(tensor, "t.pt");
//   ember::save(tensors, "ts.pt"); ember::load(tensors, "ts.pt");   // std::vector<Tensor>
//
// Unlike LibTorch's (TorchScript archives), these files are what Python's torch.save
// writes, so torch.load reads them: a module or an optimizer as its state_dict, a tensor
// as a tensor, a vector of tensors as a list. Every overload takes a path or a stream.
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/io/serialize.h"
#include "ember/nn/holder.h"
#include "ember/nn/module.h"

namespace ember {
namespace optim { class Optimizer; }

// ---- modules held by a holder (nn::Linear, a TORCH_MODULE type) or a shared_ptr ----------
template <class M>
void save(const nn::ModuleHolder<M>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module), path);
}
template <class M>
void save(const nn::ModuleHolder<M>& module, std::ostream& out) {
  save(static_cast<const nn::Module&>(*module), out);
}
template <class M, std::enable_if_t<std::is_base_of_v<nn::Module, M>, int> = 0>
void save(const std::shared_ptr<M>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module), path);
}
template <class M, std::enable_if_t<std::is_base_of_v<nn::Module, M>, int> = 0>
void save(const std::shared_ptr<M>& module, std::ostream& out) {
  save(static_cast<const nn::Module&>(*module), out);
}
// Strict, as LibTorch's load (every parameter and buffer must be in the file).
void load(nn::Module& module, std::istream& in);
template <class M>
void load(nn::ModuleHolder<M>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module), path);
}
template <class M>
void load(nn::ModuleHolder<M>& module, std::istream& in) {
  load(static_cast<nn::Module&>(*module), in);
}
template <class M, std::enable_if_t<std::is_base_of_v<nn::Module, M>, int> = 0>
void load(const std::shared_ptr<M>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module), path);
}
template <class M, std::enable_if_t<std::is_base_of_v<nn::Module, M>, int> = 0>
void load(const std::shared_ptr<M>& module, std::istream& in) {
  load(static_cast<nn::Module&>(*module), in);
}

// ---- optimisers: their state_dict (Note [Optimizer state dict layout]) -------------------
void save(const optim::Optimizer& optimizer, const std::string& path);
void save(const optim::Optimizer& optimizer, std::ostream& out);
void load(optim::Optimizer& optimizer, const std::string& path);
void load(optim::Optimizer& optimizer, std::istream& in);

// ---- tensors ------------------------------------------------------------------------------
void save(const Tensor& tensor, const std::string& path);
void save(const Tensor& tensor, std::ostream& out);
void save(const std::vector<Tensor>& tensors, const std::string& path);
void save(const std::vector<Tensor>& tensors, std::ostream& out);
// A defined tensor keeps its identity (and its requires_grad): its data is replaced by the
// file's, as LibTorch does; an undefined one becomes the loaded tensor.
void load(Tensor& tensor, const std::string& path);
void load(Tensor& tensor, std::istream& in);
void load(std::vector<Tensor>& tensors, const std::string& path);
void load(std::vector<Tensor>& tensors, std::istream& in);

}  // namespace ember
