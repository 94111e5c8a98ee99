// The LibTorch-style save/load overloads of save_load.h, each a conversion to or from the
// IValue that serialize.h writes and reads.
#include "ember/io/save_load.h"

#include "ember/autograd/grad_mode.h"
#include "ember/optim/optimizer.h"

namespace ember {

namespace {

Tensor loaded_tensor(const IValue& value, const std::string& where) {
  EMBER_CHECK(value.isTensor(), "load: ", where, " does not hold a tensor");
  return value.toTensor();
}

std::vector<Tensor> loaded_tensors(const IValue& value, const std::string& where) {
  EMBER_CHECK(value.isList(), "load: ", where, " does not hold a list of tensors");
  std::vector<Tensor> out;
  for (const IValue& item : value.toList()) out.push_back(loaded_tensor(item, where));
  return out;
}

void assign_loaded(Tensor& tensor, const Tensor& loaded) {
  if (!tensor.defined()) {
    tensor = loaded;
    return;
  }
  NoGradGuard no_grad;
  tensor.set_data(loaded);
}

}  // namespace

void load(nn::Module& module, std::istream& in) { module.load_state_dict(to_state_dict(load_value(in)), true); }

void save(const optim::Optimizer& optimizer, const std::string& path) { save(optimizer.state_dict(), path); }
void save(const optim::Optimizer& optimizer, std::ostream& out) { save(optimizer.state_dict(), out); }
void load(optim::Optimizer& optimizer, const std::string& path) { optimizer.load_state_dict(load(path)); }
void load(optim::Optimizer& optimizer, std::istream& in) { optimizer.load_state_dict(load(in)); }

void save(const Tensor& tensor, const std::string& path) { save(IValue(tensor), path); }
void save(const Tensor& tensor, std::ostream& out) { save(IValue(tensor), out); }
void save(const std::vector<Tensor>& tensors, const std::string& path) { save(IValue(tensors), path); }
void save(const std::vector<Tensor>& tensors, std::ostream& out) { save(IValue(tensors), out); }

void load(Tensor& tensor, const std::string& path) { assign_loaded(tensor, loaded_tensor(load(path), path)); }
void load(Tensor& tensor, std::istream& in) { assign_loaded(tensor, loaded_tensor(load(in), "the stream")); }
void load(std::vector<Tensor>& tensors, const std::string& path) { tensors = loaded_tensors(load(path), path); }
void load(std::vector<Tensor>& tensors, std::istream& in) { tensors = loaded_tensors(load(in), "the stream"); }

}  // namespace ember
