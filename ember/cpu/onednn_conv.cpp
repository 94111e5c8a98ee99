// float32 convolutions through oneDNN's primitives (onednn_conv.h).
//
// Note [oneDNN convolutions]
// oneDNN (Debian's libdnnl-dev 2.6, the same library PyTorch 1.13's CPU build uses for its
// "mkldnn" convolutions) JIT-compiles direct convolution kernels for the CPU it runs on,
// which work on channel-blocked layouts (nChw16c on AVX-512) and need no im2col buffer. On
// ResNet-18-sized layers they run about twice as fast as im2col + GEMM, forward and both
// backward passes. ember's tensors stay NCHW: each call reorders its operands into the
// layouts the primitive chose (format_tag::any) and the result back, as PyTorch's
// mkldnn_convolution does for dense tensors. The reorders are memory-bound passes, small
// next to the convolution.
//
// Plans. Creating a primitive descriptor costs tens of microseconds, so everything a pass
// over a given geometry needs (the primitive, the chosen layouts, the reorders) is built
// once and kept in a process-wide cache keyed by the full geometry, the batch size and the
// pass. A geometry oneDNN declines is cached as declined, and the im2col kernels take it.
// Layers with few input channels per group do not come here for the forward pass and the
// weight gradient (Note [Small-channel convolutions] in cpu/kernels/conv_small_channels.cpp).
//
// Threads. Note [Convolution threading] (cpu/kernels/conv.cpp) applies: oneDNN runs with one
// OpenMP thread on every thread that calls it (Note [GEMM threading] in cpu/blas.cpp), and
// ember's pool splits the batch into one contiguous chunk per thread, each executed by the
// plan for its chunk's size (at most two sizes per call). Plans are built on the calling
// thread before the parallel region. Primitives use a user-managed scratchpad, so one
// primitive may run on several threads at once; each thread keeps its reorder and
// scratchpad buffers between calls (thread-local, grown as needed) so a training step does
// not map and fault in fresh pages for every layer. The weight gradient sums over the
// batch: each chunk writes its own partial gradient and the partials are added at the end
// (deterministic for a given thread count).
//
// Weights. The forward pass and the input gradient read the weights in the primitive's
// blocked layout; Note [Convolution weight cache] keeps that copy between calls.
//
// Algorithm. Weight gradients use oneDNN's Winograd kernels (F(4x4, 3x3), jit_wino_4x3)
// where Note [Winograd convolutions] says they are faster; everything else is direct, with
// the kernel oneDNN lists first for forward_training (jit:avx512_core on AVX-512), the one
// PyTorch 1.13 runs where it takes its mkldnn path: there the float32 forward results are
// bit-identical to PyTorch's (measured on W4's and ResNet's 3x3 layers). oneDNN 2.6's
// newer brgconv:avx512_core (offered for forward_inference only) was measured and left
// out: on W4's second layer its primitive alone takes 0.80-0.92x the time, but it works in
// NHWC, and the NCHW <-> NHWC reorders around it cost 2.5x the blocked ones, leaving
// 0.97-0.99x per call; and its different summation order puts its outputs 2-3x further
// from a float64 reference than the direct kernel's (3e-7 of the summed magnitudes).
//
// EMBER_CONV=im2col sends every convolution to the im2col kernels (for comparisons);
// EMBER_CONV=onednn sends every one oneDNN accepts to oneDNN, however small (for the tests).
//
// Note [bfloat16 convolutions]
// bfloat16 convolutions run the same plans with bf16 source, weights and upstream gradient
// (the data type is part of the plan key). oneDNN's bf16 kernels accumulate in float32 and
// round each output element once, to nearest even: with AVX512-BF16 (Zen 4/5, Cooper Lake
// and later) they use vdpbf16ps; on AVX-512 without it oneDNN 2.6 emulates the instruction
// with the same results; below AVX-512 it declines bf16 convolutions, and a reference (ref:)
// implementation, which it might offer for an odd geometry, is declined here as too slow.
// Outputs: forward writes bf16 (with a bf16 bias, inside the primitive, as PyTorch's
// mkldnn path); the input gradient bf16, or float32 for a transposed convolution whose bias
// is added before the one rounding; the weight gradient float32, so that the per-chunk
// partial sums are added in float32 and the caller rounds the total once. Whatever returns
// false here is computed by the caller's fallback (cpu/kernels/conv.cpp): widen the
// operands to float32, run the float32 convolution, round once.
#include "ember/cpu/onednn_conv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ember/core/parallel.h"

namespace ember::cpu {

// Below this many multiply-adds per call, waking a second thread costs more than it saves.
constexpr double kMinParallelMacs = 1 << 18;

int64_t conv_batch_chunks(int64_t N, double macs) {
  if (macs < kMinParallelMacs || in_parallel_region()) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), N));
}

bool conv_small_channel_kernels() {
  static const bool enabled = [] {
    const char* env = std::getenv("EMBER_CONV");
    return !(env && (std::strcmp(env, "im2col") == 0 || std::strcmp(env, "onednn") == 0));
  }();
  return enabled;
}

}  // namespace ember::cpu

#if defined(EMBER_HAVE_ONEDNN)

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/storage.h"
#include "ember/cpu/blas.h"
#include "ember/cpu/thread_workspace.h"

namespace ember::cpu {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using kernels::ConvGeometry;

enum class Pass : int64_t { kForward, kBackwardData, kBackwardWeights };

// Below this many multiply-adds per call, the plan lookup and memory objects (a few
// microseconds) cost more than oneDNN's faster kernel saves. Measured at one thread,
// oneDNN is ahead from about 10^5 multiply-adds up (2x at 10^6, 1.3-1.5x on ResNet layers).
constexpr double kMinMacs = 1 << 15;
// oneDNN computes the input gradient with channels padded to its block (16 on AVX-512):
// with fewer input channels, as in a first layer on RGB or grey images, it does up to 16x
// the work and im2col is 2-3x faster (measured: 3 and 1 channels). Depthwise and grouped
// convolutions have kernels of their own and stay.
constexpr int64_t kMinBackwardDataChannels = 16;
// Plans kept before the cache starts over (a model has a few dozen distinct layers).
constexpr size_t kMaxPlans = 512;

// Note [Winograd convolutions]
// For a 3x3 kernel with stride 1, F(4x4, 3x3) Winograd computes each 4x4 output tile with
// 36 multiplies per channel pair instead of 144, at the cost of input / output transforms
// that are linear in the channel counts. Measured at one thread on AVX-512 (Zen 5), oneDNN
// 2.6's jit_wino_4x3 against its direct kernel: W4's second layer (32 -> 64 channels,
// 13x13, batch 64) forward 0.55x the time, weight gradient 0.6x, input gradient 1.3x;
// ResNet 3x3 layers with 64-512 channels 0.55-0.9x in all three passes; with 16 channels,
// with 1 or 3 input channels, or with fewer than ~1000 output pixels per call it is slower.
// Its rounding error, though, scales with the magnitude of the whole sum rather than of
// each output: on randn * 3 data, outputs near zero differ from LibTorch's by ~1e-3, past
// the 2e-4 elementwise tolerance the convolution tests hold forward values and input
// gradients to. The weight gradient is a sum over the batch and every output position,
// held to a tolerance scaled by its magnitude (as any long float32 sum is), and Winograd's
// error there stays far inside it. So only the weight gradient uses Winograd: groups 1,
// 3x3, stride 1, no dilation, at least kMinWinogradChannels channels on both sides and
// kMinWinogradPixels output pixels per chunk. EMBER_CONV=direct turns it off.
constexpr int64_t kMinWinogradChannels = 32;
constexpr int64_t kMinWinogradPixels = 1024;

// EMBER_CONV: unset = by size (kMinMacs), "im2col" = never oneDNN, "onednn" = oneDNN at
// every size (the tests run the convolution suites this way so that their small, odd
// geometries exercise this file), "direct" = by size, never Winograd.
enum class Mode { kBySize, kIm2col, kOneDnn, kDirect };

Mode mode() {
  static const Mode m = [] {
    const char* env = std::getenv("EMBER_CONV");
    if (env && std::strcmp(env, "im2col") == 0) return Mode::kIm2col;
    if (env && std::strcmp(env, "onednn") == 0) return Mode::kOneDnn;
    if (env && std::strcmp(env, "direct") == 0) return Mode::kDirect;
    return Mode::kBySize;
  }();
  return m;
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// The element types of one pass: `data` of its inputs (source, weights, upstream gradient)
// and `out` of what it writes (Note [bfloat16 convolutions]).
struct Types {
  memory::data_type data = memory::data_type::f32, out = memory::data_type::f32;
};

template <class T>
constexpr memory::data_type dt_of() {
  return std::is_same_v<T, float> ? memory::data_type::f32 : memory::data_type::bf16;
}

// One operand of a plan: the NCHW / OIHW layout ember holds and the layout the primitive
// chose; `reorder` converts between them (towards the primitive for inputs, back for the
// output) and is empty when they are the same.
struct Operand {
  memory::desc plain, chosen;
  std::optional<dnnl::reorder> reorder;
  int arg = 0;

  bool needs_reorder() const { return reorder.has_value(); }
};

// Declines a reorder that wants a scratchpad of its own: plans run reorders concurrently.
Operand make_operand(const memory::desc& plain, const memory::desc& chosen, int arg, bool is_input) {
  Operand op{plain, chosen, std::nullopt, arg};
  if (plain != chosen) {
    auto pd = is_input ? dnnl::reorder::primitive_desc(cpu_engine(), plain, cpu_engine(), chosen, user_scratchpad())
                       : dnnl::reorder::primitive_desc(cpu_engine(), chosen, cpu_engine(), plain, user_scratchpad());
    if (pd.scratchpad_desc().get_size() != 0) throw dnnl::error(dnnl_unimplemented, "reorder needs a scratchpad");
    op.reorder = dnnl::reorder(pd);
  }
  return op;
}

// Everything one pass over n images needs. Operands by pass:
//   forward:          in0 = src (x),      in1 = weights,    out = dst (y)
//   backward data:    in0 = diff_dst (y), in1 = weights,    out = diff_src (x)
//   backward weights: in0 = src (x),      in1 = diff_dst (gy), out = diff_weights
struct Plan {
  dnnl::primitive primitive;
  Operand in0, in1, out;
  memory::desc bias;  // forward with bias, or backward weights with diff_bias, only
  memory::desc scratchpad;
};

using PlanKey = std::array<int64_t, 19>;

PlanKey plan_key(Pass pass, const ConvGeometry& g, int64_t n, bool bias, Types t) {
  return {static_cast<int64_t>(pass), n, g.C, g.H, g.W, g.O, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW,
          g.DH, g.DW, g.groups, bias ? 1 : 0, static_cast<int64_t>(t.data) * 256 + static_cast<int64_t>(t.out)};
}

bool use_winograd(Pass pass, const ConvGeometry& g, int64_t n, Types t) {
  return pass == Pass::kBackwardWeights && t.data == memory::data_type::f32 && mode() != Mode::kDirect &&
         g.groups == 1 && g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
         g.C >= kMinWinogradChannels && g.O >= kMinWinogradChannels && n * g.OH * g.OW >= kMinWinogradPixels;
}

// Declines a reference implementation for a reduced type (Note [bfloat16 convolutions]).
template <class PD>
const PD& checked(const PD& pd, Types t) {
  if (t.data != memory::data_type::f32 && std::strncmp(pd.impl_info_str(), "ref", 3) == 0)
    throw dnnl::error(dnnl_unimplemented, "reference bf16 convolution");
  return pd;
}

std::unique_ptr<Plan> build_plan(Pass pass, const ConvGeometry& g, int64_t n, bool with_bias, Types t,
                                 dnnl::algorithm algo) {
  const auto dt = t.data;
  const memory::dims src_dims{n, g.C, g.H, g.W}, dst_dims{n, g.O, g.OH, g.OW};
  const memory::dims wei_dims = g.groups > 1
                                    ? memory::dims{g.groups, g.O / g.groups, g.C / g.groups, g.KH, g.KW}
                                    : memory::dims{g.O, g.C, g.KH, g.KW};
  const Tag wei_tag = g.groups > 1 ? Tag::goihw : Tag::oihw;
  // The written operand of the pass has type t.out, the others t.data.
  const auto src_dt = pass == Pass::kBackwardData ? t.out : dt, dst_dt = pass == Pass::kForward ? t.out : dt;
  const auto wei_dt = pass == Pass::kBackwardWeights ? t.out : dt;
  const memory::desc src_plain(src_dims, src_dt, Tag::nchw), dst_plain(dst_dims, dst_dt, Tag::nchw);
  const memory::desc wei_plain(wei_dims, wei_dt, wei_tag);
  const memory::desc src_any(src_dims, dt, Tag::any), dst_any(dst_dims, dt, Tag::any);
  const memory::desc wei_any(wei_dims, dt, Tag::any);
  // oneDNN counts dilation from 0 and takes the right/bottom padding explicitly: whatever
  // makes the last window end where ember's output size says (negative when the input's
  // last rows are never read; oneDNN declines some of those).
  const memory::dims strides{g.SH, g.SW}, dilates{g.DH - 1, g.DW - 1}, pad_l{g.PH, g.PW};
  const memory::dims pad_r{(g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1 - g.H - g.PH,
                           (g.OW - 1) * g.SW + (g.KW - 1) * g.DW + 1 - g.W - g.PW};
  const auto& engine = cpu_engine();
  const auto attr = user_scratchpad();
  // The forward's bias, or the weight gradient's diff_bias (written, so of type t.out).
  const bool bias = with_bias && pass != Pass::kBackwardData;
  const memory::desc bias_md({g.O}, pass == Pass::kBackwardWeights ? t.out : dt, Tag::x);

  using Fwd = dnnl::convolution_forward;
  const memory::desc fwd_bias_md({g.O}, dt, Tag::x);  // the hint matches the pass's bias
  auto fwd_desc = bias ? Fwd::desc(dnnl::prop_kind::forward_training, algo, src_any, wei_any, fwd_bias_md, dst_any,
                                   strides, dilates, pad_l, pad_r)
                       : Fwd::desc(dnnl::prop_kind::forward_training, algo, src_any, wei_any, dst_any, strides,
                                   dilates, pad_l, pad_r);
  Fwd::primitive_desc fwd_pd(fwd_desc, attr, engine);

  auto plan = std::make_unique<Plan>();
  if (bias) plan->bias = bias_md;
  // Each pass: its primitive, its three operands (ember's layout -> the chosen one) and
  // its scratchpad.
  auto fill = [&](auto primitive, const auto& pd, Operand in0, Operand in1, Operand out) {
    plan->primitive = std::move(primitive);
    plan->in0 = std::move(in0);
    plan->in1 = std::move(in1);
    plan->out = std::move(out);
    plan->scratchpad = pd.scratchpad_desc();
  };
  switch (pass) {
    case Pass::kForward:
      checked(fwd_pd, t);
      fill(Fwd(fwd_pd), fwd_pd, make_operand(src_plain, fwd_pd.src_desc(), DNNL_ARG_SRC, true),
           make_operand(wei_plain, fwd_pd.weights_desc(), DNNL_ARG_WEIGHTS, true),
           make_operand(dst_plain, fwd_pd.dst_desc(), DNNL_ARG_DST, false));
      break;
    case Pass::kBackwardData: {
      using Bwd = dnnl::convolution_backward_data;
      const memory::desc diff_src_any(src_dims, t.out, Tag::any);
      Bwd::primitive_desc pd(Bwd::desc(algo, diff_src_any, wei_any, dst_any, strides, dilates, pad_l, pad_r), attr,
                             engine, fwd_pd);
      checked(pd, t);
      fill(Bwd(pd), pd, make_operand(dst_plain, pd.diff_dst_desc(), DNNL_ARG_DIFF_DST, true),
           make_operand(wei_plain, pd.weights_desc(), DNNL_ARG_WEIGHTS, true),
           make_operand(src_plain, pd.diff_src_desc(), DNNL_ARG_DIFF_SRC, false));
      break;
    }
    case Pass::kBackwardWeights: {
      using Bwd = dnnl::convolution_backward_weights;
      const memory::desc diff_wei_any(wei_dims, t.out, Tag::any);
      auto desc = bias ? Bwd::desc(algo, src_any, diff_wei_any, bias_md, dst_any, strides, dilates, pad_l, pad_r)
                       : Bwd::desc(algo, src_any, diff_wei_any, dst_any, strides, dilates, pad_l, pad_r);
      Bwd::primitive_desc pd(desc, attr, engine, fwd_pd);
      checked(pd, t);
      fill(Bwd(pd), pd, make_operand(src_plain, pd.src_desc(), DNNL_ARG_SRC, true),
           make_operand(dst_plain, pd.diff_dst_desc(), DNNL_ARG_DIFF_DST, true),
           make_operand(wei_plain, pd.diff_weights_desc(), DNNL_ARG_DIFF_WEIGHTS, false));
      break;
    }
  }
  return plan;
}

// The cached plan, built on first use; null when oneDNN declines the geometry.
std::shared_ptr<const Plan> find_plan(Pass pass, const ConvGeometry& g, int64_t n, bool bias, Types t) {
  static std::mutex mutex;
  static std::map<PlanKey, std::shared_ptr<const Plan>> plans;
  const PlanKey key = plan_key(pass, g, n, bias, t);
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = plans.find(key); it != plans.end()) return it->second;
  std::shared_ptr<const Plan> plan;
  // Winograd where Note [Winograd convolutions] prefers it and oneDNN offers it here.
  if (use_winograd(pass, g, n, t)) {
    try {
      plan = build_plan(pass, g, n, bias, t, dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
    }
  }
  if (!plan) {
    try {
      plan = build_plan(pass, g, n, bias, t, dnnl::algorithm::convolution_direct);
    } catch (const dnnl::error&) {
      plan = nullptr;  // unsupported here: im2col computes it
    }
  }
  if (plans.size() >= kMaxPlans) plans.clear();  // callers hold their own references
  plans.emplace(key, plan);
  return plan;
}

// Per-thread buffers, kept between calls (Note [oneDNN convolutions], "Threads").
enum Slot { kIn0, kIn1, kOut, kScratchpad, kSharedWeights, kSharedWeights2, kDiffDst, kSlots };

ThreadWorkspace<kSlots>& workspace() {
  thread_local ThreadWorkspace<kSlots> ws("oneDNN convolution");
  return ws;
}

memory wrap(const memory::desc& md, const void* p) { return memory(md, cpu_engine(), const_cast<void*>(p)); }

// Note [Convolution weight cache]
// Each forward pass (and input gradient) needs the weights reordered from OIHW into the
// layout its primitive chose. Between inference calls, and between the forward and the
// input gradient of one training step, the weights do not change, so the reordered copy is
// kept, keyed by the weight's storage, its address in it and the chosen layout, and reused
// while the storage's version counter (Note [Version counter]) is the one it was made at.
// Every write through ember's ops bumps that counter (an optimizer step, copy_,
// load_state_dict, an in-place op under no_grad), so the next call makes a fresh copy;
// memory written behind ember's back through data_ptr() is not seen, as for autograd's
// saved tensors. The op front end names the storage only when the kernel reads the
// tensor's own memory (ConvGeometry::weight_storage). An entry holds a reference to its
// storage, so the address cannot be reused by another tensor while the entry names it;
// entries whose storage only the cache still holds (the weights died) are dropped whenever
// an entry is added, and at most kMaxCachedWeights are kept (oldest out first). Copies are
// immutable once made: a caller holds its copy for the duration of its call, and a stale
// entry gets a fresh buffer unless nobody holds the old one.
constexpr size_t kMaxCachedWeights = 128;

class WeightCache {
 public:
  // w (inside `storage`) in op's chosen layout.
  std::shared_ptr<const void> get(const StorageImpl* storage, const void* w, const Operand& op) {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint32_t version = storage->version();
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
      return e.storage.get() == storage && e.w == w && e.layout == op.chosen;
    });
    if (it != entries_.end() && it->version == version) return it->data;
    if (it == entries_.end()) {
      std::erase_if(entries_, [](const Entry& e) { return e.storage.use_count() == 1; });
      if (entries_.size() >= kMaxCachedWeights) entries_.erase(entries_.begin());
      entries_.push_back(Entry{Storage(const_cast<StorageImpl*>(storage)), w, op.chosen, version, nullptr});
      it = entries_.end() - 1;
    }
    if (!it->data || it->data.use_count() > 1) {
      const size_t bytes = (op.chosen.get_size() + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, bytes);
      EMBER_CHECK(p, "oneDNN convolution: out of memory allocating ", bytes, " bytes");
      it->data = std::shared_ptr<void>(p, std::free);
    }
    dnnl::stream stream(cpu_engine());
    memory user = wrap(op.plain, w), chosen = wrap(op.chosen, it->data.get());
    op.reorder->execute(stream, user, chosen);
    stream.wait();
    it->version = version;
    return it->data;
  }

 private:
  struct Entry {
    Storage storage;
    const void* w;
    memory::desc layout;
    uint32_t version;
    std::shared_ptr<void> data;
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

WeightCache& weight_cache() {
  static WeightCache cache;
  return cache;
}

// An input in the primitive's layout: the caller's buffer itself, or its reordered copy in
// `slot` of this thread's workspace.
memory prepare_input(const Operand& op, const void* plain, Slot slot, dnnl::stream& stream) {
  if (!op.needs_reorder()) return wrap(op.plain, plain);
  memory user = wrap(op.plain, plain), chosen = wrap(op.chosen, workspace().get(slot, op.chosen.get_size()));
  op.reorder->execute(stream, user, chosen);
  return chosen;
}

// Runs `plan` on one chunk. in0_ready / in1_ready, when set, are in0 / in1 already in the
// plan's layout. bias: the forward's bias; diff_bias: where the weight gradient's bias
// gradient goes.
void execute(const Plan& plan, const void* in0, const void* in0_ready, const void* in1, const void* in1_ready,
             const void* bias, void* out, void* diff_bias = nullptr) {
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, memory> args;
  args.emplace(plan.in0.arg, in0_ready ? wrap(plan.in0.chosen, in0_ready) : prepare_input(plan.in0, in0, kIn0, stream));
  args.emplace(plan.in1.arg, in1_ready ? wrap(plan.in1.chosen, in1_ready) : prepare_input(plan.in1, in1, kIn1, stream));
  if (bias) args.emplace(DNNL_ARG_BIAS, wrap(plan.bias, bias));
  if (diff_bias) args.emplace(DNNL_ARG_DIFF_BIAS, wrap(plan.bias, diff_bias));
  if (plan.scratchpad.get_size() != 0)
    args.emplace(DNNL_ARG_SCRATCHPAD, wrap(plan.scratchpad, workspace().get(kScratchpad, plan.scratchpad.get_size())));
  memory result = plan.out.needs_reorder() ? wrap(plan.out.chosen, workspace().get(kOut, plan.out.chosen.get_size()))
                                           : wrap(plan.out.plain, out);
  args.emplace(plan.out.arg, result);
  plan.primitive.execute(stream, args);
  if (plan.out.needs_reorder()) {
    memory user = wrap(plan.out.plain, out);
    plan.out.reorder->execute(stream, result, user);
  }
  stream.wait();
}

// How a call splits its batch (Note [Convolution threading]).
struct Split {
  int64_t chunks = 1;
  int64_t begin(int64_t c, int64_t N) const { return c * N / chunks; }
};

Split split_batch(const ConvGeometry& g, double macs) { return Split{conv_batch_chunks(g.N, macs)}; }

bool worth_it(Pass pass, const ConvGeometry& g, double macs) {
  const Mode m = mode();
  if ((m == Mode::kBySize || m == Mode::kDirect) && pass == Pass::kBackwardData && g.groups == 1 && g.C < kMinBackwardDataChannels)
    return false;
  return m != Mode::kIm2col && (m == Mode::kOneDnn || macs >= kMinMacs) && g.N > 0 && g.C > 0 && g.O > 0 && g.H > 0 && g.W > 0 && g.OH > 0 &&
         g.OW > 0;
}

double conv_macs(const ConvGeometry& g) {
  return static_cast<double>(g.N) * g.O * g.OH * g.OW * (g.C / g.groups) * g.KH * g.KW;
}

// The plans for a split's (at most two) chunk sizes; false when oneDNN declines either.
struct ChunkPlans {
  int64_t small = 0;  // N / chunks; the other chunks have small + 1 images
  std::shared_ptr<const Plan> plan_small, plan_large;
  const Plan& for_size(int64_t n) const { return n == small ? *plan_small : *plan_large; }
};

bool plans_for(Pass pass, const ConvGeometry& g, const Split& s, bool bias, Types t, ChunkPlans& out) {
  out.small = g.N / s.chunks;
  if (out.small > 0 && !(out.plan_small = find_plan(pass, g, out.small, bias, t))) return false;
  if (g.N % s.chunks != 0 && !(out.plan_large = find_plan(pass, g, out.small + 1, bias, t))) return false;
  return true;
}

// The weights (in1 of the forward and backward-data plans) in each chunk plan's layout:
// reordered once per distinct layout on the calling thread, or taken from Note
// [Convolution weight cache].
struct ReadyWeights {
  const void* small = nullptr;
  const void* large = nullptr;
  std::shared_ptr<const void> held_small, held_large;  // cache entries, held for the call
  const void* for_size(const ChunkPlans& p, int64_t n) const { return n == p.small ? small : large; }
};

template <class In>
void ready_weights(const ConvGeometry& g, const ChunkPlans& plans, const In* w, ReadyWeights& out) {
  dnnl::stream stream(cpu_engine());
  auto ready = [&](const Plan& p, Slot slot) -> const void* {
    if (!p.in1.needs_reorder()) return w;
    if (g.weight_storage) {
      auto& held = slot == kSharedWeights ? out.held_small : out.held_large;
      held = weight_cache().get(g.weight_storage, w, p.in1);
      return held.get();
    }
    void* buf = workspace().get(slot, p.in1.chosen.get_size());
    memory user = wrap(p.in1.plain, w), chosen = wrap(p.in1.chosen, buf);
    p.in1.reorder->execute(stream, user, chosen);
    return buf;
  };
  if (plans.plan_small) out.small = ready(*plans.plan_small, kSharedWeights);
  if (plans.plan_large)
    out.large = plans.plan_small && plans.plan_small->in1.chosen == plans.plan_large->in1.chosen
                    ? out.small
                    : ready(*plans.plan_large, kSharedWeights2);
  stream.wait();
}

// forward and backward data: in0 is per image, in1 (the weights) is shared by every
// chunk, so it is reordered once per distinct chosen layout on the calling thread.
// In: the element type of in0, w and b; Out: of out.
template <class In, class Out>
bool run_with_shared_weights(Pass pass, const ConvGeometry& g, const In* in0, const In* w, const In* b, Out* out,
                             int64_t in0_image, int64_t out_image) {
  const double macs = conv_macs(g);
  if (!worth_it(pass, g, macs)) return false;
  serial_blas_here();
  const Split s = split_batch(g, macs);
  ChunkPlans plans;
  if (!plans_for(pass, g, s, b != nullptr, Types{dt_of<In>(), dt_of<Out>()}, plans)) return false;
  ReadyWeights ready;
  ready_weights(g, plans, w, ready);
  auto chunk = [&](int64_t c) {
    const int64_t n0 = s.begin(c, g.N), n1 = s.begin(c + 1, g.N);
    const Plan& p = plans.for_size(n1 - n0);
    execute(p, in0 + n0 * in0_image, nullptr, nullptr, ready.for_size(plans, n1 - n0), b, out + n0 * out_image);
  };
  if (s.chunks == 1) {
    chunk(0);
  } else {
    parallel_for(0, s.chunks, 1, [&](int64_t c0, int64_t c1) {
      serial_blas_here();
      for (int64_t c = c0; c < c1; ++c) chunk(c);
    });
  }
  return true;
}

// The weight gradient sums over the batch: chunk 0 writes gw (and gb), the others their own
// partial sums, which finish() adds in chunk order.
class WeightGradChunks {
 public:
  WeightGradChunks(const ConvGeometry& g, int64_t chunks, float* gw, float* gb)
      : wsize_(g.O * (g.C / g.groups) * g.KH * g.KW), bsize_(gb ? g.O : 0), chunks_(chunks), gw_(gw), gb_(gb),
        partial_(chunks > 1 ? new float[(chunks - 1) * (wsize_ + bsize_)] : nullptr) {}
  float* weights(int64_t c) const { return c == 0 ? gw_ : partial_.get() + (c - 1) * (wsize_ + bsize_); }
  float* bias(int64_t c) const { return !gb_ ? nullptr : c == 0 ? gb_ : weights(c) + wsize_; }
  void zero(int64_t c) const {
    std::fill(weights(c), weights(c) + wsize_, 0.0f);
    if (gb_) std::fill(bias(c), bias(c) + bsize_, 0.0f);
  }
  void finish() const {
    for (int64_t c = 1; c < chunks_; ++c) {
      for (int64_t i = 0; i < wsize_; ++i) gw_[i] += weights(c)[i];
      for (int64_t i = 0; i < bsize_; ++i) gb_[i] += bias(c)[i];
    }
  }

 private:
  int64_t wsize_, bsize_, chunks_;
  float* gw_;
  float* gb_;
  std::unique_ptr<float[]> partial_;
};

// Runs chunk(c) for every chunk of the split, on the pool when there are several.
template <class F>
void for_each_chunk(const Split& s, const F& chunk) {
  if (s.chunks == 1) {
    chunk(int64_t{0});
    return;
  }
  parallel_for(0, s.chunks, 1, [&](int64_t c0, int64_t c1) {
    serial_blas_here();
    for (int64_t c = c0; c < c1; ++c) chunk(c);
  });
}

template <class In>
bool backward_weights(const ConvGeometry& g, const In* x, const In* gy, float* gw, float* gb) {
  const double macs = conv_macs(g);
  if (!worth_it(Pass::kBackwardWeights, g, macs)) return false;
  serial_blas_here();
  const Split s = split_batch(g, macs);
  ChunkPlans plans;
  if (!plans_for(Pass::kBackwardWeights, g, s, gb != nullptr, Types{dt_of<In>(), memory::data_type::f32}, plans))
    return false;
  const int64_t x_image = g.C * g.H * g.W, y_image = g.O * g.OH * g.OW;
  const WeightGradChunks sums(g, s.chunks, gw, gb);
  for_each_chunk(s, [&](int64_t c) {
    const int64_t n0 = s.begin(c, g.N), n1 = s.begin(c + 1, g.N);
    if (n1 == n0) return sums.zero(c);  // no images (only when N < chunks, which split_batch avoids)
    execute(plans.for_size(n1 - n0), x + n0 * x_image, nullptr, gy + n0 * y_image, nullptr, nullptr, sums.weights(c),
            sums.bias(c));
  });
  sums.finish();
  return true;
}

// Note [Shared upstream gradient]
// A convolution's input gradient (backward data) and weight gradient (backward weights) both
// read gy, each in the layout its primitive chose; for the layers measured that is the same
// blocked layout (aBcd16b on AVX-512), and reordering gy into it is a memory-bound pass over
// the whole upstream gradient (W4's second layer: ~0.1 ms of its ~3 ms backward). The
// convolution's backward, when it needs both gradients and builds no graph, calls
// onednn_conv_backward, which runs both passes chunk by chunk on the same split and reorders
// each chunk of gy once, into its thread's kDiffDst buffer, for both. Where the layouts differ
// each pass reorders its own copy, as the separate calls do.
bool backward_both(const ConvGeometry& g, const float* x, const float* gy, const float* w, float* gx, float* gw,
                   float* gb) {
  const double macs = conv_macs(g);
  if (!worth_it(Pass::kBackwardData, g, macs) || !worth_it(Pass::kBackwardWeights, g, macs)) return false;
  serial_blas_here();
  const Split s = split_batch(g, macs);
  ChunkPlans data, weights;
  if (!plans_for(Pass::kBackwardData, g, s, false, Types{}, data) ||
      !plans_for(Pass::kBackwardWeights, g, s, gb != nullptr, Types{}, weights))
    return false;
  ReadyWeights ready;
  ready_weights(g, data, w, ready);
  const int64_t x_image = g.C * g.H * g.W, y_image = g.O * g.OH * g.OW;
  const WeightGradChunks sums(g, s.chunks, gw, gb);
  for_each_chunk(s, [&](int64_t c) {
    const int64_t n0 = s.begin(c, g.N), n1 = s.begin(c + 1, g.N);
    if (n1 == n0) return sums.zero(c);
    const Plan& pd = data.for_size(n1 - n0);
    const Plan& pw = weights.for_size(n1 - n0);
    const float* gyc = gy + n0 * y_image;
    const void* gy_ready = nullptr;
    if (pd.in0.needs_reorder() && pd.in0.chosen == pw.in1.chosen) {
      dnnl::stream stream(cpu_engine());
      void* buf = workspace().get(kDiffDst, pd.in0.chosen.get_size());
      memory user = wrap(pd.in0.plain, gyc), chosen = wrap(pd.in0.chosen, buf);
      pd.in0.reorder->execute(stream, user, chosen);
      stream.wait();
      gy_ready = buf;
    }
    execute(pd, gyc, gy_ready, nullptr, ready.for_size(data, n1 - n0), nullptr, gx + n0 * x_image);
    execute(pw, x + n0 * x_image, nullptr, gyc, gy_ready, nullptr, sums.weights(c), sums.bias(c));
  });
  sums.finish();
  return true;
}

}  // namespace

bool onednn_conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y) {
  return run_with_shared_weights(Pass::kForward, g, x, w, b, y, g.C * g.H * g.W, g.O * g.OH * g.OW);
}
bool onednn_conv_forward(const ConvGeometry& g, const BFloat16* x, const BFloat16* w, const BFloat16* b,
                         BFloat16* y) {
  return run_with_shared_weights(Pass::kForward, g, x, w, b, y, g.C * g.H * g.W, g.O * g.OH * g.OW);
}

bool onednn_conv_backward_data(const ConvGeometry& g, const float* y, const float* w, float* x) {
  return run_with_shared_weights<float, float>(Pass::kBackwardData, g, y, w, nullptr, x, g.O * g.OH * g.OW,
                                               g.C * g.H * g.W);
}
bool onednn_conv_backward_data(const ConvGeometry& g, const BFloat16* y, const BFloat16* w, BFloat16* x) {
  return run_with_shared_weights<BFloat16, BFloat16>(Pass::kBackwardData, g, y, w, nullptr, x, g.O * g.OH * g.OW,
                                                     g.C * g.H * g.W);
}
bool onednn_conv_backward_data(const ConvGeometry& g, const BFloat16* y, const BFloat16* w, float* x) {
  return run_with_shared_weights<BFloat16, float>(Pass::kBackwardData, g, y, w, nullptr, x, g.O * g.OH * g.OW,
                                                  g.C * g.H * g.W);
}

bool onednn_conv_backward_weights(const ConvGeometry& g, const float* x, const float* gy, float* gw, float* gb) {
  return backward_weights(g, x, gy, gw, gb);
}
bool onednn_conv_backward_weights(const ConvGeometry& g, const BFloat16* x, const BFloat16* gy, float* gw) {
  return backward_weights(g, x, gy, gw, nullptr);
}

bool onednn_conv_backward(const ConvGeometry& g, const float* x, const float* gy, const float* w, float* gx,
                          float* gw, float* gb) {
  return backward_both(g, x, gy, w, gx, gw, gb);
}

}  // namespace ember::cpu

#else  // oneDNN not built in: the im2col kernels compute everything

namespace ember::cpu {
bool onednn_conv_forward(const kernels::ConvGeometry&, const float*, const float*, const float*, float*) {
  return false;
}
bool onednn_conv_backward_data(const kernels::ConvGeometry&, const float*, const float*, float*) { return false; }
bool onednn_conv_backward_weights(const kernels::ConvGeometry&, const float*, const float*, float*, float*) {
  return false;
}
bool onednn_conv_backward(const kernels::ConvGeometry&, const float*, const float*, const float*, float*, float*,
                          float*) {
  return false;
}
bool onednn_conv_forward(const kernels::ConvGeometry&, const BFloat16*, const BFloat16*, const BFloat16*, BFloat16*) {
  return false;
}
bool onednn_conv_backward_data(const kernels::ConvGeometry&, const BFloat16*, const BFloat16*, BFloat16*) {
  return false;
}
bool onednn_conv_backward_data(const kernels::ConvGeometry&, const BFloat16*, const BFloat16*, float*) {
  return false;
}
bool onednn_conv_backward_weights(const kernels::ConvGeometry&, const BFloat16*, const BFloat16*, float*) {
  return false;
}
}  // namespace ember::cpu

#endif
