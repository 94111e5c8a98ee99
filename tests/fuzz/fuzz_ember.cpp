#include "fuzz_ember.h"

#include <algorithm>
#include <cstring>

namespace fuzz {

namespace F = ember::nn::functional;

template const std::vector<OpDef<EmberLib>>& catalogue<EmberLib>();

// ---- dtypes and numbers --------------------------------------------------------------------
ember::ScalarType EmberLib::dtype(DType t) {
  static const ember::ScalarType map[] = {ember::kBool,    ember::kUInt8,    ember::kInt8,    ember::kInt16,
                                          ember::kInt32,   ember::kInt64,    ember::kFloat16, ember::kBFloat16,
                                          ember::kFloat32, ember::kFloat64};
  return map[static_cast<int>(t)];
}
DType EmberLib::from_dtype(ember::ScalarType t) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype(static_cast<DType>(i)) == t) return static_cast<DType>(i);
  throw std::runtime_error("fuzz: unexpected ember dtype");
}
ember::Scalar EmberLib::scalar(const ScalarArg& s) {
  switch (s.kind) {
    case ScalarArg::Bool: return ember::Scalar(s.v != 0);
    case ScalarArg::Int: return ember::Scalar(static_cast<int64_t>(s.v));
    default: return ember::Scalar(s.v);
  }
}

// ---- adapters --------------------------------------------------------------------------------
ember::Tensor EmberLib::clamp(const Tensor& x, const ScalarArg* lo, const ScalarArg* hi) {
  return ember::clamp(x, lo ? std::optional<ember::Scalar>(scalar(*lo)) : std::nullopt,
                      hi ? std::optional<ember::Scalar>(scalar(*hi)) : std::nullopt);
}
ember::Tensor EmberLib::clamp_tensors(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  return ember::clamp(x, lo.defined() ? std::optional<Tensor>(lo) : std::nullopt,
                      hi.defined() ? std::optional<Tensor>(hi) : std::nullopt);
}
ember::Tensor EmberLib::var(const Tensor& x, const std::vector<int64_t>* dims, int64_t correction, bool keepdim,
                            bool is_std) {
  const ember::OptionalIntArrayRef d = dims ? ember::OptionalIntArrayRef(*dims) : ember::OptionalIntArrayRef(std::nullopt);
  return is_std ? x.std(d, correction, keepdim) : x.var(d, correction, keepdim);
}
ember::Tensor EmberLib::scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
                                      const char* reduce) {
  return ember::scatter(x, dim, index, src, std::string(reduce));
}
ember::Tensor EmberLib::index(const Tensor& x, const std::vector<Tensor>& indices, bool tensor_index_form) {
  if (tensor_index_form) {
    std::vector<ember::indexing::TensorIndex> idx;
    for (const auto& t : indices) {
      if (t.defined()) idx.emplace_back(t);
      else idx.emplace_back(ember::indexing::Slice());
    }
    return x.index(idx);
  }
  std::vector<std::optional<Tensor>> idx;
  for (const auto& t : indices) idx.push_back(t.defined() ? std::optional<Tensor>(t) : std::nullopt);
  return ember::index(x, idx);
}
ember::Tensor EmberLib::index_put(Tensor x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  std::vector<std::optional<Tensor>> idx;
  for (const auto& t : indices) idx.push_back(t.defined() ? std::optional<Tensor>(t) : std::nullopt);
  ember::index_put_(x, idx, values, accumulate);
  return x;
}

ember::Tensor EmberLib::functional(Act a, const Tensor& x, const Params& p) {
  switch (a) {
    case Act::relu: return F::relu(x);
    case Act::relu6: return F::relu6(x);
    case Act::leaky_relu: return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(p.f[0]));
    case Act::elu: return F::elu(x, F::ELUFuncOptions().alpha(p.f[0]));
    case Act::selu: return F::selu(x);
    case Act::celu: return F::celu(x, F::CELUFuncOptions().alpha(p.f[0]));
    case Act::gelu: return F::gelu(x, F::GELUFuncOptions().approximate(p.f[2] == 1.0 ? "none" : "tanh"));
    case Act::silu: return F::silu(x);
    case Act::mish: return F::mish(x);
    case Act::softplus: return F::softplus(x, F::SoftplusFuncOptions().beta(p.f[0]).threshold(p.f[1]));
    case Act::hardtanh: return F::hardtanh(x, F::HardtanhFuncOptions().min_val(p.f[0]).max_val(p.f[1]));
    case Act::hardsigmoid: return F::hardsigmoid(x);
    case Act::hardswish: return F::hardswish(x);
    case Act::logsigmoid: return F::logsigmoid(x);
    case Act::threshold: return F::threshold(x, F::ThresholdFuncOptions(p.f[0], p.f[1]));
    case Act::softsign: return F::softsign(x);
    case Act::tanhshrink: return F::tanhshrink(x);
    case Act::softshrink: return F::softshrink(x, F::SoftshrinkFuncOptions(std::abs(p.f[0])));
    case Act::hardshrink: return F::hardshrink(x, F::HardshrinkFuncOptions(std::abs(p.f[0])));
    case Act::glu: return F::glu(x, F::GLUFuncOptions(p.i[0]));
    case Act::softmin: return F::softmin(x, F::SoftminFuncOptions(p.i[0]));
    case Act::tanh: return F::tanh(x);
    case Act::sigmoid: return F::sigmoid(x);
  }
  return {};
}

namespace {
ember::Reduction reduction_of(int64_t r) {
  return r == 0 ? ember::kNone : r == 1 ? ember::kMean : ember::kSum;
}
}  // namespace

ember::Tensor EmberLib::loss(Loss k, const Tensor& in, const Tensor& tg, const Tensor& w, const Tensor& pw,
                             const Params& p) {
  const ember::Reduction red = reduction_of(p.i[4]);
  switch (k) {
    case Loss::mse: return F::mse_loss(in, tg, F::MSELossFuncOptions(red));
    case Loss::l1: return F::l1_loss(in, tg, F::L1LossFuncOptions(red));
    case Loss::smooth_l1: return F::smooth_l1_loss(in, tg, F::SmoothL1LossFuncOptions(red), p.f[0]);
    case Loss::huber: return F::huber_loss(in, tg, F::HuberLossFuncOptions(red).delta(p.f[0] == 0 ? 1.0 : p.f[0]));
    case Loss::bce: {
      auto o = F::BinaryCrossEntropyFuncOptions().reduction(red);
      if (w.defined()) o.weight(w);
      return F::binary_cross_entropy(in, tg, o);
    }
    case Loss::bce_with_logits: {
      auto o = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(red);
      if (w.defined()) o.weight(w);
      if (pw.defined()) o.pos_weight(pw);
      return F::binary_cross_entropy_with_logits(in, tg, o);
    }
    case Loss::cross_entropy: {
      auto o = F::CrossEntropyFuncOptions().reduction(red).ignore_index(p.i[5]).label_smoothing(p.f[0]);
      if (w.defined()) o.weight(w);
      return F::cross_entropy(in, tg, o);
    }
    case Loss::nll: {
      auto o = F::NLLLossFuncOptions().reduction(red).ignore_index(p.i[5]);
      if (w.defined()) o.weight(w);
      return F::nll_loss(in, tg, o);
    }
    case Loss::kl_div: {
      F::KLDivFuncOptions o = p.i[4] == 3 ? F::KLDivFuncOptions(ember::kBatchMean) : F::KLDivFuncOptions(red);
      return F::kl_div(in, tg, o.log_target(p.i[6] != 0));
    }
  }
  return {};
}

ember::Tensor EmberLib::pad(const Tensor& x, const std::vector<int64_t>& pads, int64_t mode, double value) {
  static const ember::PadMode modes[] = {ember::kConstant, ember::kReflect, ember::kReplicate, ember::kCircular};
  return F::pad(x, F::PadFuncOptions(pads).mode(modes[mode]).value(value));
}
ember::Tensor EmberLib::normalize(const Tensor& x, double p, int64_t dim, double eps) {
  return F::normalize(x, F::NormalizeFuncOptions().p(p).dim(dim).eps(eps));
}
ember::Tensor EmberLib::cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim, double eps) {
  return F::cosine_similarity(a, b, F::CosineSimilarityFuncOptions().dim(dim).eps(eps));
}
ember::Tensor EmberLib::pairwise_distance(const Tensor& a, const Tensor& b, double p, double eps, bool keepdim) {
  return F::pairwise_distance(a, b, F::PairwiseDistanceFuncOptions().p(p).eps(eps).keepdim(keepdim));
}

// ---- runner support -----------------------------------------------------------------------------
ember::Tensor EmberLib::from_raw(const void* data, DType dt, const std::vector<int64_t>& sizes,
                                 const std::vector<int64_t>& strides, bool requires_grad) {
  Tensor t = ember::empty_strided(sizes, strides, ember::TensorOptions(dtype(dt)));
  const int64_t extent = storage_extent(sizes, strides);
  if (extent > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(extent) * element_size(dt));
  if (requires_grad) t.requires_grad_(true);
  return t;
}
Snapshot EmberLib::snapshot(const Tensor& t) {
  if (!t.defined()) return {};
  const Meta m = meta_of(t);
  return read_strided(t.data_ptr(), m.dtype, m.sizes, std::vector<int64_t>(t.strides().begin(), t.strides().end()),
                      t.requires_grad());
}
std::vector<ember::Tensor> EmberLib::grad(const std::vector<Tensor>& outs, const std::vector<Tensor>& ins,
                                          const std::vector<Tensor>& gouts) {
  return ember::autograd::grad(outs, ins, gouts, std::nullopt, /*create_graph=*/false, /*allow_unused=*/true);
}

Meta meta_of(const ember::Tensor& t) {
  return {EmberLib::from_dtype(t.dtype()), std::vector<int64_t>(t.sizes().begin(), t.sizes().end()), t.requires_grad(),
          t.is_contiguous()};
}
ember::Tensor fresh_copy(const ember::Tensor& t, bool requires_grad) {
  const Meta m = meta_of(t);
  return EmberLib::from_raw(t.data_ptr(), m.dtype, m.sizes, std::vector<int64_t>(t.strides().begin(), t.strides().end()),
                            requires_grad && is_floating(m.dtype));
}

// ---- listings ----------------------------------------------------------------------------------
std::string inputs_listing(const Program& p) {
  std::string out;
  for (size_t i = 0; i < p.inputs.size(); ++i) out += spec_listing("v" + std::to_string(i), p.inputs[i]) + "\n";
  return out;
}
std::string step_listing(const EmberStep& s, const Program& p) {
  const Step& st = p.steps[s.index];
  const std::string value = "v" + std::to_string(p.inputs.size() + s.index);
  std::string out;
  Names names;
  for (int r : st.refs) names.push_back("v" + std::to_string(r));
  for (size_t j = 0; j < s.params.aux.size(); ++j) {
    names.push_back(value + "_a" + std::to_string(j));
    out += spec_listing(names.back(), s.params.aux[j]) + "\n";
  }
  out += "auto " + value + " = " + s.op->print(s.params, names) + ";";
  if (s.fwd.outs.size() > 1)
    out += "  // " + std::to_string(s.fwd.outs.size()) + " outputs; " + value + " is output " +
           std::to_string(std::min<size_t>(static_cast<size_t>(s.params.primary), s.fwd.outs.size() - 1));
  return out + "\n";
}

TensorSpec value_as_spec(const Program& p, int v) {
  EmberRun run(p);
  const int n_in = static_cast<int>(p.inputs.size());
  for (int k = 0; k + n_in <= v; ++k) {
    EmberStep s = run.prepare(k);
    run.forward(s);
    run.commit(s);
  }
  const Snapshot snap = EmberLib::snapshot(run.values()[v]);
  TensorSpec spec;
  spec.dtype = snap.dtype;
  spec.sizes = snap.sizes;
  spec.strides = contiguous_strides(snap.sizes);
  for (long double x : snap.values) spec.storage.push_back(static_cast<double>(x));
  spec.requires_grad = snap.requires_grad;
  return spec;
}

// ---- the program runner --------------------------------------------------------------------------
EmberRun::EmberRun(const Program& program) : program_(program) {
  for (const auto& s : program.inputs) values_.push_back(from_spec<EmberLib>(s));
}

EmberStep EmberRun::prepare(int k) const {
  EmberStep s;
  s.index = k;
  const Step& st = program_.steps[k];
  s.op = &catalogue<EmberLib>()[st.op];
  for (int r : st.refs) s.metas.push_back(meta_of(values_[r]));
  Rng rng(st.seed);
  s.op->plan(rng, s.metas, s.params);
  for (size_t j = 0; j < st.refs.size(); ++j) s.args.push_back(fresh_copy(values_[st.refs[j]], s.metas[j].requires_grad));
  for (const auto& a : s.params.aux) s.args.push_back(from_spec<EmberLib>(a));
  return s;
}

void EmberRun::forward(EmberStep& s) const { s.fwd = run_forward(*s.op, s.args, s.params); }

bool EmberRun::plan_backward(EmberStep& s) const {
  if (s.fwd.threw || s.params.skip_grad) return false;
  for (size_t i = 0; i < s.fwd.outs.size(); ++i)
    if (s.fwd.outs[i].defined() && s.fwd.outs[i].requires_grad()) s.grad_outs.push_back(static_cast<int>(i));
  for (size_t i = 0; i < s.args.size(); ++i)
    if (s.args[i].requires_grad()) s.grad_ins.push_back(static_cast<int>(i));
  if (s.grad_outs.empty() || s.grad_ins.empty()) return false;
  // The upstream gradients' own stream: the same whatever the planner drew.
  Rng rng(program_.steps[s.index].seed ^ 0xA5A5F00DCAFEBEEFull);
  for (int i : s.grad_outs) {
    const Meta m = meta_of(s.fwd.outs[i]);
    s.upstream.push_back(random_tensor(rng, m.dtype, m.sizes, rng.chance(0.05) ? Values::Mixed : Values::Normal, false));
  }
  return true;
}

void EmberRun::backward(EmberStep& s) const {
  std::vector<ember::Tensor> outs, ins, gouts;
  for (int i : s.grad_outs) outs.push_back(s.fwd.outs[i]);
  for (int i : s.grad_ins) ins.push_back(s.args[i]);
  for (const auto& u : s.upstream) gouts.push_back(from_spec<EmberLib>(u));
  s.bwd = run_backward<EmberLib>(outs, ins, gouts);
}

void EmberRun::commit(const EmberStep& s) {
  const auto& outs = s.fwd.outs;
  if (!s.fwd.threw && !outs.empty()) {
    const ember::Tensor& v = outs[std::min<size_t>(static_cast<size_t>(s.params.primary), outs.size() - 1)];
    if (v.defined()) {
      values_.push_back(v);
      return;
    }
  }
  values_.push_back(values_[program_.steps[s.index].refs[0]]);
}

}  // namespace fuzz
