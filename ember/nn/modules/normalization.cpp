#include "ember/nn/modules/normalization.h"

#include <sstream>

#include "ember/autograd/grad_mode.h"
#include "ember/nn/init.h"
#include "ember/ops/embedding.h"
#include "ember/ops/factory.h"
#include "ember/ops/normalization.h"

namespace ember::nn {

// ---- BatchNorm -------------------------------------------------------------------------

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& options_) : options(options_) {
  int64_t c = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", empty({c}));
    bias = register_parameter("bias", empty({c}));
  } else {
    register_parameter("weight", Tensor(), false);
    register_parameter("bias", Tensor(), false);
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}));
    running_var = register_buffer("running_var", ones({c}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard g;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

double BatchNormImplBase::begin_forward(const Tensor& input) {
  check_input_dim(input);
  EMBER_CHECK(input.size(1) == options.num_features(), repr(), ": expected input with ", options.num_features(),
              " channels (dim 1), got input of shape ", input.sizes());
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    NoGradGuard g;
    num_batches_tracked.add_(1);
    if (!options.momentum()) factor = 1.0 / num_batches_tracked.item<double>();
  }
  return factor;
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  const double factor = begin_forward(input);
  // Training uses batch statistics; so does eval without running statistics.
  bool use_batch_stats = is_training() || !options.track_running_stats();
  bool pass_stats = !is_training() || options.track_running_stats();
  return ember::batch_norm(input, weight, bias, pass_stats ? running_mean : Tensor(),
                           pass_stats ? running_var : Tensor(), use_batch_stats, factor, options.eps());
}

std::string BatchNormImplBase::extra_repr() const {
  std::ostringstream os;
  os << options.num_features() << ", eps=" << python_repr(options.eps()) << ", momentum="
     << (options.momentum() ? python_repr(*options.momentum()) : std::string("None"))
     << ", affine=" << python_repr(options.affine())
     << ", track_running_stats=" << python_repr(options.track_running_stats());
  return os.str();
}

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK_VALUE(input.dim() == 2 || input.dim() == 3, "expected 2D or 3D input (got ", input.dim(), "D input)");
}

void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK_VALUE(input.dim() == 4, "expected 4D input (got ", input.dim(), "D input)");
}

// ---- LayerNorm / GroupNorm -------------------------------------------------------------

LayerNormImpl::LayerNormImpl(LayerNormOptions options_) : options(std::move(options_)) {
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ember::empty(options.normalized_shape()));
    bias = register_parameter("bias", ember::empty(options.normalized_shape()));
  } else {
    register_parameter("weight", Tensor(), false);
    register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (options.elementwise_affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return ember::layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

std::string LayerNormImpl::extra_repr() const {
  std::ostringstream os;
  os << "(";
  const auto& s = options.normalized_shape();
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  if (s.size() == 1) os << ",";
  os << "), eps=" << python_repr(options.eps()) << ", elementwise_affine=" << python_repr(options.elementwise_affine());
  return os.str();
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options_) : options(options_) {
  EMBER_CHECK_VALUE(options.num_groups() > 0 && options.num_channels() % options.num_groups() == 0,
                    "num_channels must be divisible by num_groups");
  if (options.affine()) {
    weight = register_parameter("weight", empty({options.num_channels()}));
    bias = register_parameter("bias", empty({options.num_channels()}));
  } else {
    register_parameter("weight", Tensor(), false);
    register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return ember::group_norm(input, options.num_groups(), weight, bias, options.eps());
}

std::string GroupNormImpl::extra_repr() const {
  std::ostringstream os;
  os << options.num_groups() << ", " << options.num_channels() << ", eps=" << python_repr(options.eps())
     << ", affine=" << python_repr(options.affine());
  return os.str();
}

// ---- Embedding -------------------------------------------------------------------------

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions options_) : options(std::move(options_)) {
  int64_t n = options.num_embeddings();
  if (auto p = options.padding_idx()) {
    EMBER_CHECK_VALUE(*p < n && *p >= -n, "Padding_idx must be within num_embeddings");
    if (*p < 0) options.padding_idx(*p + n);
  }
  if (options._weight().defined()) {
    EMBER_CHECK_VALUE(options._weight().sizes() == IntArrayRef({n, options.embedding_dim()}),
                      "Shape of weight does not match num_embeddings and embedding_dim");
    weight = register_parameter("weight", options._weight());
  } else {
    weight = register_parameter("weight", empty({n, options.embedding_dim()}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (auto p = options.padding_idx()) {
    NoGradGuard g;
    weight[*p].fill_(0);
  }
}

Tensor EmbeddingImpl::forward(const Tensor& indices) { return ember::embedding(weight, indices, options.padding_idx()); }

std::string EmbeddingImpl::extra_repr() const {
  std::string s = std::to_string(options.num_embeddings()) + ", " + std::to_string(options.embedding_dim());
  if (options.padding_idx()) s += ", padding_idx=" + std::to_string(*options.padding_idx());
  return s;
}

// ---- functional ------------------------------------------------------------------------

namespace functional {

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options) {
  return ember::batch_norm(input, options.weight(), options.bias(), running_mean, running_var, options.training(),
                           options.momentum(), options.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return ember::layer_norm(input, options.normalized_shape(), options.weight(), options.bias(), options.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  return ember::group_norm(input, options.num_groups(), options.weight(), options.bias(), options.eps());
}

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  return ember::embedding(weight, input, options.padding_idx());
}

}  // namespace functional

}  // namespace ember::nn
