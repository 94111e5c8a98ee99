// Reductions, scans, softmax and sorting against LibTorch: every op on contiguous,
// transposed, stepped-slice, expanded, 0-dim and empty inputs, several dims and keepdim,
// float32/float64/int64/bool, with NaN/inf where the op is floating.
#include "diff_util.h"

using diff::same;
using diff::twin;

namespace {

// Layouts of logical shape [4, 6] (or special shapes), built in torch.
std::vector<torch::Tensor> layouts(c10::ScalarType dt, int seed) {
  std::vector<torch::Tensor> out;
  out.push_back(diff::random_tensor({4, 6}, dt, seed));                                             // contiguous
  out.push_back(diff::random_tensor({6, 4}, dt, seed + 1).t());                                     // transposed
  out.push_back(diff::random_tensor({8, 12}, dt, seed + 2).slice(0, 0, 8, 2).slice(1, 1, 12, 2));  // stepped
  out.push_back(diff::random_tensor({1, 6}, dt, seed + 3).expand({4, 6}));                         // expanded
  out.push_back(diff::random_tensor({3, 5, 7}, dt, seed + 4).permute({2, 0, 1}));                  // 3-d permuted
  out.push_back(diff::random_tensor({}, dt, seed + 5));                                             // 0-dim
  out.push_back(diff::random_tensor({0, 6}, dt, seed + 6));                                         // empty
  return out;
}

torch::Tensor with_specials(torch::Tensor t) {
  if (!t.is_floating_point() || t.numel() < 4) return t;
  t = t.clone();  // keeps dense non-contiguous layouts; its first storage slots are elements
  auto flat = t.as_strided({4}, {1}, t.storage_offset());
  flat[1] = std::numeric_limits<double>::quiet_NaN();
  flat[2] = std::numeric_limits<double>::infinity();
  flat[3] = -std::numeric_limits<double>::infinity();
  return t;
}

// Dim lists to try for a tensor of rank r: all dims, each dim, negative, and pairs.
std::vector<std::vector<int64_t>> dim_lists(int64_t r) {
  std::vector<std::vector<int64_t>> out = {{}};
  for (int64_t d = 0; d < r; ++d) out.push_back({d});
  if (r >= 1) out.push_back({-1});
  if (r >= 2) out.push_back({0, r - 1});
  if (r >= 3) out.push_back({2, 0});
  if (r == 0) out.push_back({0});
  return out;
}

std::string describe(const torch::Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  std::ostringstream os;
  os << "shape " << t.sizes() << " strides " << t.strides() << " dtype " << t.scalar_type() << " dims "
     << c10::IntArrayRef(dims) << " keepdim " << keepdim;
  return os.str();
}

const std::vector<c10::ScalarType> kAllTypes = {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kBool};
const std::vector<c10::ScalarType> kFloatTypes = {torch::kFloat32, torch::kFloat64};

}  // namespace

TEST(DiffReduce, SumMeanProdCountNonzero) {
  for (auto dt : kAllTypes)
    for (auto& t0 : layouts(dt, 10))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (auto& dims : dim_lists(t.dim()))
          for (bool keep : {false, true}) {
            std::string what = describe(t, dims, keep);
            EXPECT_TRUE(same(ember::sum(p.e, dims, keep), torch::sum(p.t, dims, keep), 1e-5, 1e-4)) << "sum " << what;
            if (t.is_floating_point())
              EXPECT_TRUE(same(ember::mean(p.e, dims, keep), torch::mean(p.t, dims, keep), 1e-5, 1e-5))
                  << "mean " << what;
            if (dims.size() == 1)
              EXPECT_TRUE(same(ember::prod(p.e, dims[0], keep), torch::prod(p.t, dims[0], keep), 1e-5, 1e-5))
                  << "prod " << what;
            EXPECT_TRUE(same(ember::count_nonzero(p.e, dims), torch::count_nonzero(p.t, dims)))
                << "count_nonzero " << what;
          }
        EXPECT_TRUE(same(ember::prod(p.e), torch::prod(p.t), 1e-5, 1e-5)) << describe(t, {}, false);
      }
}

TEST(DiffReduce, SumDtypeArgument) {
  auto t = diff::random_tensor({5, 7}, torch::kFloat32, 3);
  auto p = twin(t);
  EXPECT_TRUE(same(ember::sum(p.e, {1}, false, ember::kFloat64), torch::sum(p.t, {1}, false, torch::kFloat64)));
  EXPECT_TRUE(same(ember::sum(p.e, {0}, true, ember::kInt32), torch::sum(p.t, {0}, true, torch::kInt32)));
  auto i = twin(diff::random_tensor({5, 7}, torch::kInt64, 4));
  EXPECT_TRUE(same(ember::mean(i.e, {1}, false, ember::kFloat32), torch::mean(i.t, {1}, false, torch::kFloat32)));
  EXPECT_TRUE(same(ember::prod(i.e, 0, false, ember::kFloat64), torch::prod(i.t, 0, false, torch::kFloat64)));
  EXPECT_TRUE(same(ember::sum(i.e.to(ember::kInt32)), torch::sum(i.t.to(torch::kInt32))));
}

TEST(DiffReduce, MaxMinAmaxAminArg) {
  for (auto dt : kAllTypes)
    for (auto& t0 : layouts(dt, 20))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        if (t.numel() > 0) {
          EXPECT_TRUE(same(ember::max(p.e), torch::max(p.t))) << describe(t, {}, false);
          EXPECT_TRUE(same(ember::min(p.e), torch::min(p.t))) << describe(t, {}, false);
          // argmax ties pick the first index; bool has no argmax in PyTorch.
          if (dt != torch::kBool && dt != torch::kInt64) {
            EXPECT_TRUE(same(ember::argmax(p.e), torch::argmax(p.t))) << describe(t, {}, false);
            EXPECT_TRUE(same(ember::argmin(p.e), torch::argmin(p.t))) << describe(t, {}, false);
          }
        }
        for (auto& dims : dim_lists(t.dim()))
          for (bool keep : {false, true}) {
            std::string what = describe(t, dims, keep);
            bool empty_reduction = false;
            for (int64_t d : dims)
              if (t.dim() > 0 && t.size(d) == 0) empty_reduction = true;
            if (dims.empty() && t.numel() == 0) empty_reduction = true;
            if (empty_reduction) {
              EXPECT_THROW(ember::amax(p.e, dims, keep), ember::Error) << what;
              continue;
            }
            EXPECT_TRUE(same(ember::amax(p.e, dims, keep), torch::amax(p.t, dims, keep))) << "amax " << what;
            EXPECT_TRUE(same(ember::amin(p.e, dims, keep), torch::amin(p.t, dims, keep))) << "amin " << what;
            if (dims.size() != 1) continue;
            auto [ev, ei] = ember::max(p.e, dims[0], keep);
            auto [tv, ti] = torch::max(p.t, dims[0], keep);
            EXPECT_TRUE(same(ev, tv)) << "max values " << what;
            // Integer/bool data has ties; PyTorch picks the first index, and so do we.
            EXPECT_TRUE(same(ei, ti)) << "max indices " << what;
            auto [nv, ni] = ember::min(p.e, dims[0], keep);
            auto [uv, ui] = torch::min(p.t, dims[0], keep);
            EXPECT_TRUE(same(nv, uv)) << "min values " << what;
            EXPECT_TRUE(same(ni, ui)) << "min indices " << what;
            if (dt != torch::kBool) {
              EXPECT_TRUE(same(ember::argmax(p.e, dims[0], keep), torch::argmax(p.t, dims[0], keep))) << what;
              EXPECT_TRUE(same(ember::argmin(p.e, dims[0], keep), torch::argmin(p.t, dims[0], keep))) << what;
            }
          }
      }
}

TEST(DiffReduce, VarStd) {
  for (auto dt : kFloatTypes)
    for (auto& t0 : layouts(dt, 30))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (auto& dims : dim_lists(t.dim()))
          for (int64_t corr : {0, 1, 2})
            for (bool keep : {false, true}) {
              std::string what = describe(t, dims, keep) + " correction " + std::to_string(corr);
              std::optional<ember::IntArrayRef> edims =
                  dims.empty() ? std::nullopt : std::optional<ember::IntArrayRef>(dims);
              c10::optional<int64_t> tc(corr);
              torch::Tensor tv = dims.empty() ? torch::var(p.t, c10::nullopt, tc, keep) : torch::var(p.t, dims, tc, keep);
              torch::Tensor ts = dims.empty() ? torch::std(p.t, c10::nullopt, tc, keep) : torch::std(p.t, dims, tc, keep);
              EXPECT_TRUE(same(ember::var(p.e, edims, corr, keep), tv, 1e-5, 1e-5)) << "var " << what;
              EXPECT_TRUE(same(ember::std(p.e, edims, corr, keep), ts, 1e-5, 1e-5)) << "std " << what;
            }
      }
}

TEST(DiffReduce, Norms) {
  const double inf = std::numeric_limits<double>::infinity();
  for (auto dt : kFloatTypes)
    for (auto& t0 : layouts(dt, 40))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (double pv : {2.0, 1.0, 0.0, inf, 3.0, 0.5}) {
          EXPECT_TRUE(same(ember::norm(p.e, pv), torch::norm(p.t, pv), 1e-5, 1e-5)) << "p " << pv << describe(t, {}, 0);
          for (auto& dims : dim_lists(t.dim())) {
            if (dims.empty()) continue;
            for (bool keep : {false, true})
              EXPECT_TRUE(same(ember::norm(p.e, pv, dims, keep), torch::norm(p.t, pv, dims, keep), 1e-5, 1e-5))
                  << "p " << pv << " " << describe(t, dims, keep);
          }
        }
        if (t.numel() > 0)
          EXPECT_TRUE(same(ember::norm(p.e, -inf), torch::norm(p.t, -inf))) << describe(t, {}, false);
        EXPECT_TRUE(same(ember::norm(p.e, "fro"), torch::norm(p.t, 2), 1e-5, 1e-5));
      }
}

TEST(DiffReduce, LogSumExp) {
  for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64})
    for (auto& t0 : layouts(dt, 50))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (auto& dims : dim_lists(t.dim())) {
          if (dims.empty()) continue;  // PyTorch 1.13 rejects an empty dim list here
          for (bool keep : {false, true})
            EXPECT_TRUE(same(ember::logsumexp(p.e, dims, keep), torch::logsumexp(p.t, dims, keep), 1e-5, 1e-5))
                << describe(t, dims, keep);
        }
      }
  // Large magnitudes do not overflow.
  auto big = twin(diff::random_tensor({3, 5}, torch::kFloat32, 5) * 1000);
  EXPECT_TRUE(same(ember::logsumexp(big.e, {1}), torch::logsumexp(big.t, {1}), 1e-5, 1e-3));
}

TEST(DiffReduce, AllAny) {
  for (auto dt : {torch::kFloat32, torch::kInt64, torch::kBool, torch::kUInt8})
    for (auto& t0 : layouts(dt, 60)) {
      auto t = with_specials(t0);
      auto p = twin(t);
      EXPECT_TRUE(same(ember::all(p.e), torch::all(p.t))) << describe(t, {}, false);
      EXPECT_TRUE(same(ember::any(p.e), torch::any(p.t))) << describe(t, {}, false);
      for (int64_t d = 0; d < std::max<int64_t>(t.dim(), 1); ++d)
        for (bool keep : {false, true}) {
          EXPECT_TRUE(same(ember::all(p.e, d, keep), torch::all(p.t, d, keep))) << describe(t, {d}, keep);
          EXPECT_TRUE(same(ember::any(p.e, d, keep), torch::any(p.t, d, keep))) << describe(t, {d}, keep);
        }
    }
}

TEST(DiffScan, CumsumCumprod) {
  for (auto dt : kAllTypes)
    for (auto& t0 : layouts(dt, 70))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        if (dt != torch::kBool) t = t / (dt == torch::kInt64 ? 1 : 2);  // keep products moderate
        auto p = twin(t);
        for (int64_t d = -std::max<int64_t>(t.dim(), 1); d < std::max<int64_t>(t.dim(), 1); ++d) {
          EXPECT_TRUE(same(ember::cumsum(p.e, d), torch::cumsum(p.t, d), 1e-5, 1e-4)) << describe(t, {d}, false);
          EXPECT_TRUE(same(ember::cumprod(p.e, d), torch::cumprod(p.t, d), 1e-5, 1e-4)) << describe(t, {d}, false);
        }
      }
  auto i = twin(diff::random_tensor({4, 5}, torch::kInt64, 7));
  EXPECT_TRUE(same(ember::cumsum(i.e, 1, ember::kFloat32), torch::cumsum(i.t, 1, torch::kFloat32)));
}

TEST(DiffSoftmax, SoftmaxLogSoftmax) {
  for (auto dt : kFloatTypes)
    for (auto& t0 : layouts(dt, 80))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (int64_t d = -std::max<int64_t>(t.dim(), 1); d < std::max<int64_t>(t.dim(), 1); ++d) {
          EXPECT_TRUE(same(ember::softmax(p.e, d), torch::softmax(p.t, d), 1e-5, 1e-6)) << describe(t, {d}, false);
          EXPECT_TRUE(same(ember::log_softmax(p.e, d), torch::log_softmax(p.t, d), 1e-5, 1e-5))
              << describe(t, {d}, false);
        }
      }
  auto big = twin(diff::random_tensor({6, 300}, torch::kFloat32, 9) * 1e4);
  EXPECT_TRUE(same(ember::softmax(big.e, 1), torch::softmax(big.t, 1), 1e-5, 1e-6));
  EXPECT_TRUE(same(ember::log_softmax(big.e, 0), torch::log_softmax(big.t, 0), 1e-5, 1e-2));
  auto i = twin(diff::random_tensor({4, 5}, torch::kInt64, 10));
  EXPECT_TRUE(same(ember::softmax(i.e, 1, ember::kFloat64), torch::softmax(i.t, 1, torch::kFloat64)));
}

TEST(DiffSort, SortArgsortTopk) {
  for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kBool})
    for (auto& t0 : layouts(dt, 90))
      for (bool specials : {false, true}) {
        auto t = specials ? with_specials(t0) : t0;
        auto p = twin(t);
        for (int64_t d = -std::max<int64_t>(t.dim(), 1); d < std::max<int64_t>(t.dim(), 1); ++d)
          for (bool desc : {false, true}) {
            std::string what = describe(t, {d}, false) + (desc ? " descending" : "");
            // Stable sort must match torch's stable sort exactly, ties and NaN included.
            auto [ev, ei] = ember::sort(p.e, true, d, desc);
            auto [tv, ti] = torch::sort(p.t, true, d, desc);
            EXPECT_TRUE(same(ev, tv)) << "sort " << what;
            EXPECT_TRUE(same(ei, ti)) << "sort indices " << what;
            EXPECT_TRUE(same(ember::argsort(p.e, true, d, desc), ti)) << "argsort " << what;
            // The default (unstable) sort: values always, indices where values are distinct.
            auto [uv, ui] = ember::sort(p.e, d, desc);
            EXPECT_TRUE(same(uv, std::get<0>(torch::sort(p.t, d, desc)))) << "unstable sort " << what;
          }
      }
  // Distinct values: every index must match, for sort and topk.
  auto distinct = torch::randperm(60, torch::kFloat64).to(torch::kFloat32).reshape({6, 10}) - 30;
  for (auto t : {distinct, distinct.t(), distinct.slice(1, 0, 10, 3)}) {
    auto p = twin(t);
    for (int64_t d : {0, 1, -1})
      for (bool desc : {false, true}) {
        auto [ev, ei] = ember::sort(p.e, d, desc);
        auto [tv, ti] = torch::sort(p.t, d, desc);
        EXPECT_TRUE(same(ev, tv) && same(ei, ti)) << describe(t, {d}, false);
        for (int64_t k : {int64_t(0), int64_t(1), t.size(d)})
          for (bool largest : {true, false}) {
            auto [kv, ki] = ember::topk(p.e, k, d, largest);
            auto [qv, qi] = torch::topk(p.t, k, d, largest);
            EXPECT_TRUE(same(kv, qv) && same(ki, qi)) << "topk k " << k << " " << describe(t, {d}, largest);
          }
      }
  }
  // topk with ties and NaN: values must match (the order of tied indices is unspecified).
  for (auto dt : {torch::kFloat32, torch::kInt64})
    for (auto& t0 : layouts(dt, 95)) {
      auto t = with_specials(t0);
      if (t.dim() == 0 || t.numel() == 0) continue;
      auto p = twin(t);
      for (bool largest : {true, false}) {
        auto ev = std::get<0>(ember::topk(p.e, 2, 0, largest));
        auto tv = std::get<0>(torch::topk(p.t, 2, 0, largest));
        EXPECT_TRUE(same(ev, tv)) << describe(t, {0}, largest);
      }
    }
}

TEST(DiffReduce, LargeFastPaths) {
  // Sizes that take the vectorised, cascaded and multithreaded paths.
  for (auto t : {diff::random_tensor({1 << 20}, torch::kFloat32, 1),
                 diff::random_tensor({512, 2048}, torch::kFloat32, 2),
                 diff::random_tensor({2048, 512}, torch::kFloat64, 3),
                 diff::random_tensor({64, 3000}, torch::kFloat32, 4).t()}) {
    auto p = twin(t);
    EXPECT_TRUE(same(ember::sum(p.e), torch::sum(p.t), 1e-5, 1e-2));
    EXPECT_TRUE(same(ember::mean(p.e), torch::mean(p.t), 1e-5, 1e-6));
    EXPECT_TRUE(same(ember::amax(p.e), torch::amax(p.t)));
    // LibTorch's float32 2-norm of 1M elements is itself ~1e-5 off (ember's cascade sum is
    // not), so the reference here is torch's norm computed in float64.
    EXPECT_TRUE(same(ember::norm(p.e), torch::norm(p.t.to(torch::kFloat64)).to(t.scalar_type()), 1e-6, 1e-3));
    for (int64_t d = 0; d < t.dim(); ++d) {
      EXPECT_TRUE(same(ember::sum(p.e, {d}), torch::sum(p.t, {d}), 1e-5, 1e-3)) << describe(t, {d}, false);
      EXPECT_TRUE(same(ember::amin(p.e, {d}), torch::amin(p.t, {d}))) << describe(t, {d}, false);
      EXPECT_TRUE(same(std::get<1>(ember::max(p.e, d)), std::get<1>(torch::max(p.t, d)))) << describe(t, {d}, 0);
      EXPECT_TRUE(same(ember::cumsum(p.e, d), torch::cumsum(p.t, d), 1e-4, 1e-2)) << describe(t, {d}, false);
      // Same for a softmax over 1M elements: LibTorch's float32 sum loses ~2e-4 relative.
      EXPECT_TRUE(same(ember::softmax(p.e, d), torch::softmax(p.t.to(torch::kFloat64), d).to(t.scalar_type()), 1e-5,
                       1e-9))
          << describe(t, {d}, false);
    }
  }
}
