// nn::parallel::DistributedDataParallel (Note [DDP forward] in ddp.h) and DDP's construction
// helpers: the cross-rank model check and the state broadcast.
#include "ember/distributed/ddp.h"

#include <sstream>

#include "ember/core/dtype.h"

namespace ember::distributed {

void ddp_parameters(const nn::Module& module, std::vector<Tensor>& params, std::vector<std::string>& names) {
  for (const auto& item : module.named_parameters()) {
    if (!item.value().requires_grad()) continue;
    params.push_back(item.value());
    names.push_back(item.key());
  }
}

namespace {

// One rank's view of a parameter, as all-gathered by verify_params_across_processes.
struct ParamDesc {
  int64_t dtype = -1;
  std::vector<int64_t> sizes;
  std::string name;
  bool operator==(const ParamDesc&) const = default;
};

// [n, then per parameter: dtype, ndim, sizes..., name length, name bytes packed 8 per int64].
std::vector<int64_t> encode(const std::vector<Tensor>& params, const std::vector<std::string>& names) {
  std::vector<int64_t> v{static_cast<int64_t>(params.size())};
  for (size_t i = 0; i < params.size(); ++i) {
    v.push_back(static_cast<int64_t>(params[i].scalar_type()));
    v.push_back(params[i].dim());
    for (int64_t s : params[i].sizes()) v.push_back(s);
    const std::string& n = names[i];
    v.push_back(static_cast<int64_t>(n.size()));
    for (size_t c = 0; c < n.size(); c += 8) {
      uint64_t word = 0;
      for (size_t j = 0; j < 8 && c + j < n.size(); ++j)
        word |= static_cast<uint64_t>(static_cast<unsigned char>(n[c + j])) << (8 * j);
      v.push_back(static_cast<int64_t>(word));
    }
  }
  return v;
}

std::vector<ParamDesc> decode(const std::vector<int64_t>& v) {
  std::vector<ParamDesc> r;
  size_t at = 0;
  auto next = [&]() -> int64_t {
    EMBER_CHECK(at < v.size(), "DDP model check: malformed parameter description from a peer");
    return v[at++];
  };
  int64_t n = next();
  for (int64_t i = 0; i < n; ++i) {
    ParamDesc d;
    d.dtype = next();
    int64_t ndim = next();
    for (int64_t k = 0; k < ndim; ++k) d.sizes.push_back(next());
    int64_t len = next();
    for (int64_t c = 0; c < len; c += 8) {
      uint64_t word = static_cast<uint64_t>(next());
      for (int64_t j = 0; j < 8 && c + j < len; ++j) d.name.push_back(static_cast<char>((word >> (8 * j)) & 0xff));
    }
    r.push_back(std::move(d));
  }
  return r;
}

std::string describe(const ParamDesc& d) {
  std::ostringstream os;
  os << "'" << d.name << "' of shape [";
  for (size_t k = 0; k < d.sizes.size(); ++k) os << (k ? ", " : "") << d.sizes[k];
  os << "] and dtype " << dtype_name(static_cast<ScalarType>(d.dtype));
  return os.str();
}

}  // namespace

void verify_params_across_processes(const ProcessGroupPtr& group, const std::vector<Tensor>& params,
                                    const std::vector<std::string>& names) {
  std::vector<std::vector<int64_t>> all = group->all_gather_int64(encode(params, names));
  std::vector<std::vector<ParamDesc>> ranks;
  for (const auto& v : all) ranks.push_back(decode(v));
  size_t most = 0;
  for (const auto& r : ranks) most = std::max(most, r.size());
  const auto& base = ranks[0];
  for (size_t i = 0; i < most; ++i) {
    std::vector<size_t> differ;
    for (size_t r = 1; r < ranks.size(); ++r) {
      bool has_base = i < base.size(), has_r = i < ranks[r].size();
      if (has_base != has_r || (has_base && !(base[i] == ranks[r][i]))) differ.push_back(r);
    }
    if (differ.empty()) continue;
    std::ostringstream msg;
    msg << "DDP expects same model across all ranks, but ";
    size_t count_rank = 0;
    for (size_t r = 1; r < ranks.size() && !count_rank; ++r)
      if (ranks[r].size() != base.size()) count_rank = r;
    if (count_rank) {
      msg << "Rank " << count_rank << " has " << ranks[count_rank].size() << " params, while rank 0 has inconsistent "
          << base.size() << " params. ";
    }
    msg << (count_rank ? "The" : "the") << " first differing parameter is index " << i << " (in named_parameters() order): rank 0 ";
    if (i < base.size()) msg << "has " << describe(base[i]);
    else msg << "has no such parameter";
    for (size_t r : differ) {
      msg << ", while rank " << r << " ";
      if (i < ranks[r].size()) msg << "has " << describe(ranks[r][i]);
      else msg << "has no such parameter";
    }
    msg << ".";
    throw Error(msg.str());
  }
}

void broadcast_tensors(const ProcessGroupPtr& group, std::vector<Tensor> tensors, int src) {
  if (group->size() == 1 || tensors.empty()) return;
  NoGradGuard no_grad;
  // Collectives need contiguous tensors: a strided one travels through a copy.
  std::vector<Tensor> send;
  for (const Tensor& t : tensors) send.push_back(t.is_contiguous() ? t.detach() : t.contiguous());
  std::vector<WorkPtr> works;
  for (Tensor& t : send) works.push_back(group->broadcast(t, src));
  for (auto& w : works) w->wait();
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].is_contiguous()) tensors[i].copy_(send[i]);
}

}  // namespace ember::distributed

namespace ember::nn::parallel {

void DistributedDataParallelImpl::init(std::shared_ptr<Module> module, distributed::ProcessGroupPtr group,
                                       const DistributedDataParallelOptions& options) {
  EMBER_CHECK(module, "DistributedDataParallel: the module is empty");
  module_ = register_module("module", std::move(module));
  group_ = group ? std::move(group) : distributed::default_group();
  options_ = options;
  EMBER_CHECK_VALUE(options.bucket_cap_mb() > 0, "bucket_cap_mb must be positive, got ", options.bucket_cap_mb());
  std::vector<Tensor> params;
  std::vector<std::string> names;
  distributed::ddp_parameters(*module_, params, names);
  EMBER_CHECK(!params.empty(),
              "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a "
              "gradient.");
  // Every rank must hold the same model before rank 0's values overwrite the others'.
  distributed::verify_params_across_processes(group_, params, names);
  buffers_ = module_->buffers();
  std::vector<Tensor> state = module_->parameters();
  state.insert(state.end(), buffers_.begin(), buffers_.end());
  distributed::broadcast_tensors(group_, state, 0);
  distributed::ReducerOptions ro;
  ro.bucket_bytes_cap = static_cast<int64_t>(options.bucket_cap_mb() * 1024 * 1024);
  ro.find_unused_parameters = options.find_unused_parameters();
  ro.gradient_as_bucket_view = options.gradient_as_bucket_view();
  reducer_ = distributed::make_reducer(std::move(params), std::move(names), group_, ro);
}

void DistributedDataParallelImpl::pre_forward() {
  const bool sync = GradMode::is_enabled() && require_backward_grad_sync_;
  if (join_iterations_ >= 0) {  // Note [DDP join]: the joined ranks count this rank as active
    EMBER_CHECK(sync, "DistributedDataParallel.join(): every forward inside join() must be synchronised (grad mode "
                "on, outside no_sync()), since joined ranks mirror its collectives");
    distributed::join_notify_active(group_);
    ++join_iterations_;
  }
  if (sync) reducer_->prepare_for_forward();
  if (require_forward_param_sync_ && options_.broadcast_buffers()) distributed::broadcast_tensors(group_, buffers_, 0);
}

void DistributedDataParallelImpl::finish_join() {
  const int64_t own = join_iterations_;
  join_iterations_ = -1;
  std::vector<Tensor> state = module_->parameters();
  state.insert(state.end(), buffers_.begin(), buffers_.end());
  distributed::join_shadow_until_done(*reducer_, buffers_, options_.broadcast_buffers(), own, state);
}

void DistributedDataParallelImpl::post_forward(const std::vector<Tensor>& outputs) {
  const bool sync = GradMode::is_enabled() && require_backward_grad_sync_;
  require_forward_param_sync_ = sync;
  if (sync) reducer_->prepare_for_backward(outputs);
}

}  // namespace ember::nn::parallel
