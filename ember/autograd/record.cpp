#include "ember/autograd/record.h"

#include <cctype>

#include "ember/autograd/anomaly.h"

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/derivatives.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember::autograd {

AutogradMeta* materialize_autograd_meta(const Tensor& t) {
  TensorImpl* impl = t.unsafeGetTensorImpl();
  if (!impl->autograd_meta()) impl->set_autograd_meta(std::make_unique<AutogradMeta>());
  return static_cast<AutogradMeta*>(impl->autograd_meta());
}

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  AutogradMeta* meta = materialize_autograd_meta(t);
  if (auto acc = meta->grad_accumulator.lock()) return acc;
  // The accumulator holds the leaf; the leaf holds the accumulator only weakly.
  Tensor leaf(t.impl());
  auto acc = std::make_shared<AccumulateGrad>(leaf);
  meta->grad_accumulator = acc;
  return acc;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* meta = get_autograd_meta(t);
  if (!meta) return {};
  if (meta->grad_fn) return {meta->grad_fn, meta->output_nr};
  if (meta->requires_grad) return {grad_accumulator(t), 0};
  return {};
}

bool should_record(TensorList inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

namespace detail {
void connect(OpNode& node, std::initializer_list<const Tensor*> inputs) {
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(t->defined() ? gradient_edge(*t) : Edge{});
}

void connect(OpNode& node, TensorList inputs) {
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(t.defined() ? gradient_edge(t) : Edge{});
}

void finish(std::shared_ptr<OpNode> node, const Tensor& result, std::initializer_list<SaveArg> saved) {
  set_history(result, node);
  if (saved.size() == 0) return;
  // After set_history: the result is saved as an output (Note [Saved output without grad_fn]).
  auto& slots = node->saved_;
  slots.reserve(saved.size());
  const TensorImpl* out = result.unsafeGetTensorImpl();
  for (const SaveArg& s : saved) {
    if (s.tensor) {
      slots.emplace_back(*s.tensor, s.tensor->defined() && s.tensor->unsafeGetTensorImpl() == out);
    } else {
      for (const auto& t : *s.list) slots.emplace_back(t ? *t : Tensor(), false);
    }
  }
}
}  // namespace detail

void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  // Metadata slots are added in output order.
  if (node->num_inputs() <= output_nr) const_cast<Node&>(*node).add_input_metadata(output);
  // Only floating tensors can require grad: an op whose differentiable inputs give an
  // integer or bool result (sum(x, kInt64), mm of an empty int16 matrix with a float one)
  // leaves it without history. (LibTorch fails an internal assert there.)
  if (!is_floating_point(output.dtype())) return;
  AutogradMeta* meta = materialize_autograd_meta(output);
  meta->grad_fn = node;
  meta->output_nr = output_nr;
  if (anomaly_enabled() && node->anomaly_trace.empty()) {
    // "MulBackward0" was recorded by the forward op "mul".
    std::string name = node->name();
    auto pos = name.find("Backward");
    std::string op = pos == std::string::npos ? name : name.substr(0, pos);
    for (auto& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    node->anomaly_trace = "the forward op '" + op + "' (" + name + ")";
  }
}

void check_inplace(const Tensor& self) {
  if (!GradMode::is_enabled()) return;
  if (self.requires_grad() && self.is_leaf())
    throw Error("a leaf Variable that requires grad is being used in an in-place operation.");
  if (TensorImpl* base = self.unsafeGetTensorImpl()->view_base()) {
    Tensor b{intrusive_ptr<TensorImpl>(base)};
    if (b.requires_grad() && b.is_leaf())
      throw Error("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

namespace {
struct ViewGeometry {
  DimVector sizes, strides;
  int64_t offset;
};

// CopySlices: see Note [In-place on views]. Edge 0 is the base's old history; edges 1..
// are the in-place op's other inputs (its node's edges 1..).
struct CopySlices : Node {
  CopySlices(const Tensor& base, ViewGeometry view, std::shared_ptr<Node> fn)
      : view_(std::move(view)), fn_(std::move(fn)) {
    next_edges_.push_back(gradient_edge(base));
    for (size_t i = 1; i < fn_->num_outputs(); ++i) next_edges_.push_back(fn_->next_edge(i));
  }
  std::string name() const override { return "CopySlices"; }
  variable_list apply(variable_list&& grads) override {
    Tensor result = grads[0].clone();
    Tensor region = result.as_strided(view_.sizes, view_.strides, view_.offset - base_offset_);
    variable_list res = fn_->apply({region.clone()});
    variable_list out(num_outputs());
    if (res[0].defined()) region.copy_(res[0]);
    else region.zero_();
    out[0] = result;
    for (size_t i = 1; i < out.size() && i < res.size(); ++i) out[i] = res[i];
    return out;
  }
  void release_variables() override { fn_->release_variables(); }
  ViewGeometry view_;
  int64_t base_offset_ = 0;
  std::shared_ptr<Node> fn_;
};

// The view's own history after its base was rewritten: an as_strided view of the base.
variable_list as_strided_view_backward(OpNode& node, const AsStridedState& s, const variable_list& grads);
}  // namespace

void commit_inplace(Tensor& self, const Tensor& result) {
  {
    NoGradGuard no_grad;
    self.copy_(result);  // bumps self's (shared) version counter
  }
  AutogradMeta* rmeta = get_autograd_meta(result);
  if (!rmeta || !rmeta->grad_fn) return;
  TensorImpl* base_impl = self.unsafeGetTensorImpl()->view_base();
  if (!base_impl) {
    AutogradMeta* meta = materialize_autograd_meta(self);
    meta->grad_fn = rmeta->grad_fn;
    meta->output_nr = rmeta->output_nr;
    return;
  }
  Tensor base{intrusive_ptr<TensorImpl>(base_impl)};
  ViewGeometry geom{DimVector(self.sizes().begin(), self.sizes().end()),
                    DimVector(self.strides().begin(), self.strides().end()), self.storage_offset()};
  auto copy_slices = std::make_shared<CopySlices>(base, geom, rmeta->grad_fn);
  copy_slices->base_offset_ = base.storage_offset();
  copy_slices->add_input_metadata(base);
  AutogradMeta* bmeta = materialize_autograd_meta(base);
  bmeta->grad_fn = copy_slices;
  bmeta->output_nr = 0;
  // The view now reads its history through the base.
  AsStridedState geometry{.self_sizes = dim_vector(base.sizes()),
                          .self_strides = dim_vector(base.strides()),
                          .sizes = geom.sizes,
                          .strides = geom.strides,
                          .offset = geom.offset - base.storage_offset()};
  auto view_node = std::make_shared<TypedOpNode<AsStridedState>>("AsStridedBackward0", as_strided_view_backward,
                                                                  std::move(geometry));
  detail::connect(*view_node, {&base});
  AutogradMeta* meta = materialize_autograd_meta(self);
  meta->grad_fn = view_node;
  meta->output_nr = 0;
  view_node->add_input_metadata(self);
}

namespace {
variable_list as_strided_view_backward(OpNode&, const AsStridedState& s, const variable_list& grads) {
  // Scatter the view's gradient into a zero tensor laid out like the base (self_* here).
  Tensor g = grads[0];
  Tensor out = zeros(s.self_sizes, g.options());
  Tensor dense = out.as_strided(s.self_sizes, s.self_strides, 0);
  dense.as_strided(s.sizes, s.strides, s.offset).add_(g);
  return {out};
}
}  // namespace

}  // namespace ember::autograd
