#include "ember/autograd/saved_variable.h"

#include <sstream>

namespace ember::autograd {

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  is_output_ = is_output;
  saved_version_ = t._version();
  AutogradMeta* meta = get_autograd_meta(t);
  requires_grad_ = t.requires_grad();
  is_leaf_ = t.is_leaf();
  output_nr_ = meta ? meta->output_nr : 0;
  if (is_output && meta && meta->grad_fn) {
    // Note [Saved output without grad_fn]
    data_ = t.detach();
    weak_grad_fn_ = meta->grad_fn;
  } else if (is_leaf_ && requires_grad_) {
    leaf_ = t;  // a leaf owns no graph, so keeping it whole makes no cycle
  } else {
    data_ = t.detach();
    if (meta) grad_fn_ = meta->grad_fn;
  }
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& saved_for) const {
  if (was_released_) throw_released_error();
  const Tensor& base = leaf_.defined() ? leaf_ : data_;
  if (!base.defined()) return Tensor();
  if (base._version() != saved_version_) {
    std::ostringstream msg;
    std::string type = base.toString();                   // "CPUFloatType"
    type = type.substr(3, type.size() - 7) + "Tensor";    // "FloatTensor"
    msg << "one of the variables needed for gradient computation has been modified by an inplace operation: [torch."
        << type << " " << base.sizes() << "]";
    if (saved_for) msg << ", which is output " << output_nr_ << " of " << saved_for->name() << ",";
    msg << " is at version " << base._version() << "; expected version " << saved_version_
        << " instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
           "with torch.autograd.set_detect_anomaly(True).";
    throw Error(msg.str());
  }
  if (leaf_.defined()) return leaf_;
  if (!requires_grad_) return data_;
  // Re-attach the history so formulas using this tensor are differentiable (create_graph).
  std::shared_ptr<Node> fn = is_output_ ? weak_grad_fn_.lock() : grad_fn_;
  Tensor out = data_.detach();
  if (fn) {
    AutogradMeta* meta = materialize_autograd_meta(out);
    meta->grad_fn = std::move(fn);
    meta->output_nr = output_nr_;
  }
  return out;
}

}  // namespace ember::autograd
