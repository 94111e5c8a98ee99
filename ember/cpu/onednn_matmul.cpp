// bfloat16 GEMM through oneDNN's matmul primitive (onednn_matmul.h).
//
// Note [bfloat16 GEMM]
// oneDNN 2.6's matmul primitive multiplies bf16 matrices with its brgemm kernels
// (AVX512-BF16's vdpbf16ps, AMX where present; emulated on AVX-512 without them), sums the
// products in float32 and rounds each output element once to nearest even, after applying
// alpha (an output scale) and beta * c (a sum post-op reading c's bf16 value): the result
// of PyTorch's float-accumulating CPU bf16 addmm up to the summation order. Below AVX-512
// oneDNN declines bf16 (and a reference implementation, which would be slower than
// widening, is declined here), and the caller (cpu/blas.cpp) widens to float32 instead.
//
// Plans. A primitive descriptor costs tens of microseconds, so each (shape, strides,
// transposition, alpha, beta) gets one primitive, built on first use and kept in a
// process-wide cache, as the convolutions do (Note [oneDNN convolutions]).
//
// Threads. As float32 GEMMs (Note [GEMM threading] in cpu/blas.cpp): oneDNN runs with one
// OpenMP thread per calling thread, and a large product is split into row or column blocks
// of c, one per thread of ember's pool (gemm_blocks), each a single-threaded primitive call
// (at most two block sizes, so two plans; Note [Splitting a bf16 GEMM] says which side).
// Primitives use a user scratchpad held per thread,
// so one primitive runs on several threads at once. A bf16 product runs at about twice the
// float32 rate and each block repacks its operands, so a split needs more work to pay for
// waking a second thread: below kMinParallelWork multiply-adds (~5 us on one Zen 5 core,
// e.g. W3's last layer, 128 x 10 x 256, and its gradients) it stays on the calling thread.
//
// Note [Splitting a bf16 GEMM]
// Over two threads a bf16 product is split into row blocks of c (each thread reads all of b)
// or column blocks (each reads all of a). In a training step under autocast every operand
// has just been written, half by each thread (the weight's cast, the upstream gradient's
// elementwise ops, partitioned in contiguous halves), so the half a thread did not write
// comes from the other core's cache, and on this Zen 5 VM that transfer, not the kernel,
// set the time: W3's first layer, 128 x 784 @ (512 x 784)^T with the weight cast just
// before, took 247 us split by rows and 206 us by columns, against 149 us with the weight
// already in both caches. Rows also hand the caller contiguous halves of c, which the ops
// after it (the gradient's cast to float32, the optimizer) partition the same way. So rows
// are split unless b is larger than a and c together (a Linear layer's forward pass and
// input gradient, where b is the weight), or unless c has too few rows for two blocks.
// Whole W3 steps at 2 threads (min of 9 x 200 steps, 3 runs each): 0.83-0.94 ms this way,
// 0.86-0.90 always splitting rows, 0.91-0.97 splitting the longer side as float32 does; the
// machine's noise is as large as the first difference, not the second. Remeasured once
// every block ran dense (Note [Dense bf16 GEMM blocks]; 3 alternating runs of 3 x 1000
// steps, glibc's malloc thresholds raised as compare_bf16.py does): 0.735-0.745 ms this
// way, 0.749-0.754 always splitting rows.
// float32 (cpu/blas.cpp) keeps splitting the longer side: its kernels are half as fast, so
// the transfers weigh half as much, and there columns measured as fast as rows.
//
// Note [Dense bf16 GEMM blocks]
// oneDNN 2.6 runs a bf16 matmul on its brgemm kernel (brg:avx512_core_bf16) only when every
// operand is dense: its leading dimension equal to its stored row length. A block of a split
// product often is not: a column block of c (ldc is the whole n), a row block of a transposed
// a, a column block of an untransposed b. oneDNN then falls back to its gemm:jit driver,
// which is 5-13% slower on W3's shapes at one thread and, worse, mallocs its packing buffers
// (150-800 KB) on every call, outside the user scratchpad. On a pool thread those blocks
// come from and go back to glibc's per-thread arena, which trims its top and faults the pages
// in again on the next call: 5-28 page faults per W3 step at two threads, each ~10 us on this
// VM, and the step's time varied from 0.85 to 1.5 ms with them. So every block runs dense:
// a non-dense operand is copied into this thread's dense buffer first (rows of at most a few
// hundred bf16, from and into L2), and a non-dense c block is computed in a dense buffer
// (loaded from c first when beta reads it) and copied back. Each plan therefore has dense
// leading dimensions, whatever the caller's strides.
#include "ember/cpu/onednn_matmul.h"

#if defined(EMBER_HAVE_ONEDNN)

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/cpu/blas.h"
#include "ember/cpu/thread_workspace.h"

namespace ember::cpu {

namespace {

using dnnl::memory;

constexpr size_t kMaxPlans = 512;
constexpr double kMinParallelWork = 1 << 20;

bool enabled() {
  static const bool on = [] {
    const char* env = std::getenv("EMBER_GEMM");
    return !(env && std::strcmp(env, "openblas") == 0);
  }();
  return on;
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

struct Plan {
  dnnl::matmul primitive;
  memory::desc a, b, c, scratchpad;
};

struct Shape {
  bool ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  float alpha, beta;
};

using PlanKey = std::array<int64_t, 10>;

PlanKey key_of(const Shape& s) {
  uint32_t abits, bbits;
  std::memcpy(&abits, &s.alpha, 4);
  std::memcpy(&bbits, &s.beta, 4);
  return {s.ta, s.tb, s.m, s.n, s.k, s.lda, s.ldb, s.ldc, abits, bbits};
}

std::unique_ptr<Plan> build_plan(const Shape& s) {
  const auto bf16 = memory::data_type::bf16;
  auto plan = std::make_unique<Plan>();
  // Stored row-major with leading dimension ld; a transposed operand is its column-major view.
  plan->a = memory::desc({s.m, s.k}, bf16, s.ta ? memory::dims{1, s.lda} : memory::dims{s.lda, 1});
  plan->b = memory::desc({s.k, s.n}, bf16, s.tb ? memory::dims{1, s.ldb} : memory::dims{s.ldb, 1});
  plan->c = memory::desc({s.m, s.n}, bf16, memory::dims{s.ldc, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  if (s.beta != 0.0f) {
    dnnl::post_ops ops;
    ops.append_sum(s.beta);
    attr.set_post_ops(ops);
  }
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(plan->a, plan->b, plan->c), attr, cpu_engine());
  if (std::strncmp(pd.impl_info_str(), "ref", 3) == 0) throw dnnl::error(dnnl_unimplemented, "reference bf16 matmul");
  plan->scratchpad = pd.scratchpad_desc();
  plan->primitive = dnnl::matmul(pd);
  return plan;
}

std::shared_ptr<const Plan> find_plan(const Shape& s) {
  static std::mutex mutex;
  static std::map<PlanKey, std::shared_ptr<const Plan>> plans;
  const PlanKey key = key_of(s);
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = plans.find(key); it != plans.end()) return it->second;
  std::shared_ptr<const Plan> plan;
  try {
    plan = build_plan(s);
  } catch (const dnnl::error&) {
    plan = nullptr;  // declined: the caller widens
  }
  if (plans.size() >= kMaxPlans) plans.clear();
  plans.emplace(key, plan);
  return plan;
}

// This thread's buffers: the scratchpad and the dense copies of Note [Dense bf16 GEMM blocks].
enum Buffer { kScratchpad, kDenseA, kDenseB, kDenseC, kBuffers };

void* thread_buffer(Buffer which, size_t bytes) {
  thread_local ThreadWorkspace<kBuffers> ws("oneDNN matmul");
  return ws.get(which, bytes);
}

// A stored matrix: `rows` rows of `len` elements, `ld` apart.
struct Stored {
  int64_t rows, len, ld;
  bool dense() const { return ld == len || rows <= 1; }
};

// Copies `from` (rows of x.len, x.ld apart) to `to` (rows of x.len, to_ld apart).
void copy_rows(const Stored& x, const BFloat16* from, int64_t from_ld, BFloat16* to, int64_t to_ld) {
  for (int64_t r = 0; r < x.rows; ++r)
    std::memcpy(to + r * to_ld, from + r * from_ld, static_cast<size_t>(x.len) * sizeof(BFloat16));
}

// p's operand in dense form: p itself, or its copy in `which`.
const BFloat16* dense_input(const Stored& x, const BFloat16* p, Buffer which) {
  if (x.dense()) return p;
  auto* buf = static_cast<BFloat16*>(thread_buffer(which, static_cast<size_t>(x.rows * x.len) * sizeof(BFloat16)));
  copy_rows(x, p, x.ld, buf, x.len);
  return buf;
}

void execute(const Plan& p, const BFloat16* a, const BFloat16* b, BFloat16* c) {
  dnnl::stream stream(cpu_engine());
  auto wrap = [](const memory::desc& md, const void* ptr) {
    return memory(md, cpu_engine(), const_cast<void*>(ptr));
  };
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, wrap(p.a, a)}, {DNNL_ARG_WEIGHTS, wrap(p.b, b)},
                                       {DNNL_ARG_DST, wrap(p.c, c)}};
  if (p.scratchpad.get_size() != 0)
    args.emplace(DNNL_ARG_SCRATCHPAD, wrap(p.scratchpad, thread_buffer(kScratchpad, p.scratchpad.get_size())));
  p.primitive.execute(stream, args);
  stream.wait();
}

}  // namespace

bool onednn_gemm_bf16(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const BFloat16* a,
                      int64_t lda, const BFloat16* b, int64_t ldb, float beta, BFloat16* c, int64_t ldc) {
  if (!enabled() || m <= 0 || n <= 0 || k <= 0) return false;
  serial_blas_here();
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  // Which side of c to split: Note [Splitting a bf16 GEMM].
  const bool serial = work < kMinParallelWork;
  const int64_t row_blocks = serial ? 1 : gemm_blocks(m, work);
  const int64_t col_blocks = serial ? 1 : gemm_blocks(n, work);
  const double a_size = static_cast<double>(m) * k, b_size = static_cast<double>(k) * n,
               c_size = static_cast<double>(m) * n;
  const bool by_rows = col_blocks < 2 || (row_blocks >= 2 && b_size <= a_size + c_size);
  const int64_t len = by_rows ? m : n;
  const int64_t blocks = by_rows ? row_blocks : col_blocks;
  // The plans for the (at most two) block lengths.
  const int64_t small = len / blocks;
  // A block's shape, with the dense leading dimensions of Note [Dense bf16 GEMM blocks].
  auto shape = [&](int64_t l) {
    const int64_t bm = by_rows ? l : m, bn = by_rows ? n : l;
    return Shape{ta, tb, bm, bn, k, ta ? bm : k, tb ? k : bn, bn, alpha, beta};
  };
  std::shared_ptr<const Plan> plan_small = find_plan(shape(small)), plan_large;
  if (!plan_small) return false;
  if (len % blocks != 0 && !(plan_large = find_plan(shape(small + 1)))) return false;
  auto block = [&](int64_t blk) {
    const int64_t lo = blk * len / blocks, hi = (blk + 1) * len / blocks;
    const Plan& p = hi - lo == small ? *plan_small : *plan_large;
    const int64_t bm = by_rows ? hi - lo : m, bn = by_rows ? n : hi - lo;
    const BFloat16* ab = by_rows ? (ta ? a + lo : a + lo * lda) : a;
    const BFloat16* bb = by_rows ? b : (tb ? b + lo * ldb : b + lo);
    BFloat16* cb = by_rows ? c + lo * ldc : c + lo;
    // Note [Dense bf16 GEMM blocks]: as stored, a is k rows of bm (transposed) or bm rows of
    // k; b is bn rows of k (transposed) or k rows of bn; c is bm rows of bn.
    const Stored as = ta ? Stored{k, bm, lda} : Stored{bm, k, lda};
    const Stored bs = tb ? Stored{bn, k, ldb} : Stored{k, bn, ldb};
    const Stored cs{bm, bn, ldc};
    const BFloat16* ad = dense_input(as, ab, kDenseA);
    const BFloat16* bd = dense_input(bs, bb, kDenseB);
    if (cs.dense()) {
      execute(p, ad, bd, cb);
      return;
    }
    auto* cd = static_cast<BFloat16*>(thread_buffer(kDenseC, static_cast<size_t>(bm * bn) * sizeof(BFloat16)));
    if (beta != 0.0f) copy_rows(cs, cb, ldc, cd, bn);
    execute(p, ad, bd, cd);
    copy_rows(cs, cd, bn, cb, ldc);
  };
  if (blocks == 1) {
    block(0);
  } else {
    parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
      serial_blas_here();
      for (int64_t blk = b0; blk < b1; ++blk) block(blk);
    });
  }
  return true;
}

}  // namespace ember::cpu

#else  // oneDNN not built in: the caller widens

namespace ember::cpu {
bool onednn_gemm_bf16(bool, bool, int64_t, int64_t, int64_t, float, const BFloat16*, int64_t, const BFloat16*, int64_t,
                      float, BFloat16*, int64_t) {
  return false;
}
}  // namespace ember::cpu

#endif
