// Indexing against LibTorch: subscripts (slices with steps and negatives, None/Ellipsis,
// integer index tensors adjacent / separated / broadcast, masks over full and partial
// dims, 0-dim and empty indices), index_put_ with and without accumulate, and the
// gather/scatter/index_* / masked_* / nonzero family on contiguous, transposed and
// stepped inputs.
#include "diff_util.h"

using diff::from_torch;
using diff::same;
using diff::twin;

namespace {

namespace ti = torch::indexing;
namespace ei = ember::indexing;

// One index in a form both libraries can be given.
struct Ix {
  enum Kind { Int, Sl, None, Ell, Bool, Ten } kind;
  int64_t i = 0;
  std::optional<int64_t> a, b, c;
  bool bv = false;
  torch::Tensor t;
};
Ix I(int64_t i) { return {Ix::Int, i}; }
Ix S(std::optional<int64_t> a = std::nullopt, std::optional<int64_t> b = std::nullopt,
     std::optional<int64_t> c = std::nullopt) {
  Ix x{Ix::Sl};
  x.a = a, x.b = b, x.c = c;
  return x;
}
Ix N() { return {Ix::None}; }
Ix E() { return {Ix::Ell}; }
Ix B(bool v) {
  Ix x{Ix::Bool};
  x.bv = v;
  return x;
}
Ix T(torch::Tensor t) {
  Ix x{Ix::Ten};
  x.t = std::move(t);
  return x;
}
Ix L(std::vector<int64_t> v) { return T(torch::tensor(v)); }

// LibTorch 1.13 has its own optional type.
c10::optional<int64_t> c10opt(std::optional<int64_t> v) { return v ? c10::optional<int64_t>(*v) : c10::nullopt; }

std::vector<ti::TensorIndex> to_t(const std::vector<Ix>& v) {
  // Reserved so that entries are never moved: LibTorch 1.13's TensorIndex copies its
  // uninitialised members (UBSan flags that in its header).
  std::vector<ti::TensorIndex> out;
  out.reserve(v.size());
  for (const Ix& x : v) {
    switch (x.kind) {
      case Ix::Int: out.emplace_back(x.i); break;
      case Ix::Sl: out.emplace_back(ti::Slice(c10opt(x.a), c10opt(x.b), c10opt(x.c))); break;
      case Ix::None: out.emplace_back(ti::None); break;
      case Ix::Ell: out.emplace_back(ti::Ellipsis); break;
      case Ix::Bool: out.emplace_back(x.bv); break;
      case Ix::Ten: out.emplace_back(x.t); break;
    }
  }
  return out;
}
std::vector<ei::TensorIndex> to_e(const std::vector<Ix>& v) {
  std::vector<ei::TensorIndex> out;
  out.reserve(v.size());
  for (const Ix& x : v) {
    switch (x.kind) {
      case Ix::Int: out.emplace_back(x.i); break;
      case Ix::Sl: out.emplace_back(ei::Slice(x.a, x.b, x.c)); break;
      case Ix::None: out.emplace_back(ei::None); break;
      case Ix::Ell: out.emplace_back(ei::Ellipsis); break;
      case Ix::Bool: out.emplace_back(x.bv); break;
      case Ix::Ten: out.emplace_back(from_torch(x.t)); break;
    }
  }
  return out;
}

// Logical shape [4, 5, 6] in three layouts.
std::vector<torch::Tensor> layouts3(c10::ScalarType dt, int seed) {
  return {diff::random_tensor({4, 5, 6}, dt, seed),
          diff::random_tensor({6, 5, 4}, dt, seed + 1).permute({2, 1, 0}),
          diff::random_tensor({8, 5, 12}, dt, seed + 2).slice(0, 0, 8, 2).slice(2, 1, 12, 2)};
}
// Logical shape [4, 5] in three layouts.
std::vector<torch::Tensor> layouts2(c10::ScalarType dt, int seed) {
  return {diff::random_tensor({4, 5}, dt, seed), diff::random_tensor({5, 4}, dt, seed + 1).t(),
          diff::random_tensor({8, 10}, dt, seed + 2).slice(0, 0, 8, 2).slice(1, 1, 10, 2)};
}

torch::Tensor mask(std::vector<int64_t> shape, int seed) {
  torch::manual_seed(seed);
  return torch::rand(shape).gt(0.4);
}

struct Case {
  std::vector<Ix> idx;
  bool duplicates = false;  // tensor-valued non-accumulating puts would race
};

std::vector<Case> subscript_cases() {
  torch::Tensor lng = torch::tensor(std::vector<int64_t>{}, torch::kLong);
  return {
      // basic
      {{I(1)}}, {{I(-1)}}, {{S(1, 3)}}, {{S(std::nullopt, std::nullopt, 2)}}, {{S(-3)}},
      {{S(std::nullopt, -1, 2)}}, {{I(0), S(), I(2)}}, {{S(-100, 100, 3), S(1, -1), S(5, 1)}},
      {{N(), E(), I(0)}}, {{E(), N()}}, {{I(1), N(), S(1, 4, 2)}}, {{S(), N(), E(), I(-2)}}, {{E()}},
      {{E(), S(2, 5, 2)}}, {{I(3), E(), I(5)}},
      // one advanced index
      {{L({0, 2, 3})}}, {{S(), L({4, 0, -1})}}, {{E(), L({1, 1, 0})}, true}, {{S(1, 3), N(), L({4, 0})}},
      {{I(1), L({0, 2})}}, {{T(lng)}}, {{S(), T(lng)}},
      // two advanced, adjacent and separated
      {{L({0, 1}), L({2, 3})}}, {{S(), L({0, 4}), L({1, 5})}}, {{L({0, 1}), S(), L({2, 3})}},
      {{L({0, 3}), S(1, 3), L({5, 0})}}, {{N(), L({0, 1}), N(), L({1, 2})}}, {{L({3, 2}), I(1), L({0, 4})}},
      {{E(), L({1, 2}), L({-1, 0})}},
      // broadcasting index tensors
      {{T(torch::tensor({{0}, {2}})), T(torch::tensor({1, 3, 4}))}},
      {{S(), T(torch::tensor({{0}, {1}})), T(torch::tensor({{2, 3}}))}},
      {{T(torch::tensor({{0}, {3}})), S(), T(torch::tensor({0, 1, 5}))}},
      {{T(torch::tensor({{0, 1}, {2, 3}})), S(), T(torch::tensor(2))}},
      {{L({1}), L({0, 2, 4}), L({5})}},
      // masks
      {{T(mask({4, 5, 6}, 1))}}, {{T(mask({4}, 2))}}, {{S(), T(mask({5}, 3))}}, {{T(mask({4, 5}, 4))}},
      {{E(), T(mask({6}, 5))}}, {{S(), T(mask({5, 6}, 6))}}, {{T(mask({4}, 7)), S(1, 3), L({5})}},
      {{T(torch::zeros({4, 5}, torch::kBool))}}, {{T(mask({4}, 8).to(torch::kUInt8))}},
      {{I(2), T(mask({5}, 9)), S(std::nullopt, std::nullopt, 3)}},
      // 0-dim tensors and Python bools
      {{T(torch::tensor(2))}}, {{T(torch::tensor(true))}}, {{T(torch::tensor(false))}}, {{B(true)}},
      {{B(false)}}, {{S(), T(torch::tensor(-1))}}, {{I(0), B(true), L({1, 2})}},
  };
}

}  // namespace

TEST(DiffIndexing, Subscripts) {
  for (auto dt : {torch::kFloat32, torch::kInt64}) {
    for (auto& t : layouts3(dt, 11)) {
      auto p = twin(t);
      int n = 0;
      for (const Case& c : subscript_cases()) {
        torch::Tensor rt = p.t.index(to_t(c.idx));
        ember::Tensor re = p.e.index(to_e(c.idx));
        EXPECT_TRUE(same(re, rt)) << "case " << n << " layout " << t.strides();
        ++n;
      }
    }
  }
}

TEST(DiffIndexing, SubscriptPut) {
  for (auto& t : layouts3(torch::kFloat64, 21)) {
    int n = 0;
    for (const Case& c : subscript_cases()) {
      auto p = twin(t.clone());  // twin(t) shares nothing with t; clone keeps dense layouts
      auto q = twin(t.clone());
      p.t.index_put_(to_t(c.idx), 2.5);
      p.e.index_put_(to_e(c.idx), 2.5);
      EXPECT_TRUE(same(p.e, p.t)) << "scalar case " << n;
      if (!c.duplicates) {
        torch::Tensor shape_of = t.index(to_t(c.idx));
        torch::Tensor v = diff::random_tensor(shape_of.sizes().vec(), torch::kFloat64, n);
        q.t.index_put_(to_t(c.idx), v);
        q.e.index_put_(to_e(c.idx), from_torch(v));
        EXPECT_TRUE(same(q.e, q.t)) << "tensor case " << n;
        // A broadcast value: one row of the last dimension.
        if (shape_of.dim() > 0 && shape_of.numel() > 0) {
          torch::Tensor row = diff::random_tensor({shape_of.size(-1)}, torch::kFloat64, n + 100);
          q.t.index_put_(to_t(c.idx), row);
          q.e.index_put_(to_e(c.idx), from_torch(row));
          EXPECT_TRUE(same(q.e, q.t)) << "broadcast case " << n;
        }
      }
      ++n;
    }
  }
}

TEST(DiffIndexing, IndexPutAccumulate) {
  auto L64 = [](std::vector<int64_t> v) { return torch::tensor(v); };
  std::vector<std::vector<torch::Tensor>> cases = {
      {L64({1, 1, 3, 1, 0})},
      {torch::Tensor(), L64({0, 0, 4, -1})},
      {torch::tensor({{0}, {0}}), L64({1, 1, 2})},
      {L64({2, 2}), torch::Tensor(), L64({5, 5})},
      {mask({4, 5}, 3)},
      {torch::Tensor(), mask({5}, 4)},
      {torch::tensor(std::vector<int64_t>{}, torch::kLong)},
  };
  for (bool accumulate : {true, false}) {
    for (auto& t : layouts3(torch::kFloat32, 31)) {
      int n = 0;
      for (auto& c : cases) {
        c10::List<c10::optional<at::Tensor>> tl;
        std::vector<std::optional<ember::Tensor>> el;
        for (auto& i : c) {
          if (i.defined()) {
            tl.push_back(i);
            el.emplace_back(from_torch(i));
          } else {
            tl.push_back(c10::nullopt);
            el.emplace_back(std::nullopt);
          }
        }
        torch::Tensor shape_of = t.index(tl);
        // Without accumulate, duplicates get equal values so the result is defined.
        torch::Tensor v = accumulate ? diff::random_tensor(shape_of.sizes().vec(), torch::kFloat32, n)
                                     : torch::full(shape_of.sizes(), 3.0, torch::kFloat32);
        auto p = twin(t.clone());
        p.t.index_put_(tl, v, accumulate);
        ember::index_put_(p.e, el, from_torch(v), accumulate);
        EXPECT_TRUE(same(p.e, p.t)) << "case " << n << " accumulate " << accumulate;
        EXPECT_TRUE(same(ember::index(p.e, el), torch::index(p.t, tl))) << "index case " << n;
        ++n;
      }
    }
  }
}

TEST(DiffIndexing, IndexSelect) {
  for (auto dt : {torch::kFloat32, torch::kInt32, torch::kBool}) {
    for (auto& t : layouts2(dt, 41)) {
      auto p = twin(t);
      for (int64_t d : {0, 1, -1}) {
        for (auto idx : {torch::tensor({3, 0, 3, 1}), torch::tensor(2), torch::tensor({1, 0}, torch::kInt32),
                         torch::tensor(std::vector<int64_t>{}, torch::kLong)}) {
          EXPECT_TRUE(same(p.e.index_select(d, from_torch(idx)), p.t.index_select(d, idx))) << d << " " << idx;
        }
      }
    }
  }
  auto s = twin(torch::tensor(4.5));
  EXPECT_TRUE(same(s.e.index_select(0, from_torch(torch::tensor({0}))), s.t.index_select(0, torch::tensor({0}))));
}

TEST(DiffIndexing, GatherScatter) {
  for (auto dt : {torch::kFloat32, torch::kInt64}) {
    for (auto& t : layouts2(dt, 51)) {
      for (int64_t d : {0, 1, -1}) {
        int64_t dd = d < 0 ? d + 2 : d;
        torch::manual_seed(d + 7);
        // gather: any values in range, index may be smaller than self apart from d.
        std::vector<int64_t> ishape = {3, 4};
        ishape[dd] = 6;
        torch::Tensor gidx = torch::randint(0, t.size(dd), ishape);
        torch::Tensor gidx_t = torch::randint(0, t.size(dd), {ishape[1], ishape[0]}).t();  // non-contiguous index
        auto p = twin(t);
        EXPECT_TRUE(same(p.e.gather(d, from_torch(gidx)), p.t.gather(d, gidx)));
        auto gt = twin(gidx_t);
        EXPECT_TRUE(same(p.e.gather(d, gt.e), p.t.gather(d, gt.t)));

        // scatter: distinct destinations per fiber (a permutation prefix) so the result is defined.
        std::vector<int64_t> sshape = {3, 4};
        torch::Tensor perm = torch::rand({t.size(0), t.size(1)}).argsort(dd).slice(dd, 0, 3).slice(1 - dd, 0, 4);
        torch::Tensor src = diff::random_tensor({5, 6}, dt, 3);  // larger than index
        auto sp = twin(src.t().contiguous().t());                  // non-contiguous src
        auto ip = twin(perm);
        EXPECT_TRUE(same(p.e.scatter(d, ip.e, sp.e), p.t.scatter(d, ip.t, sp.t))) << "scatter " << d;
        EXPECT_TRUE(same(p.e.scatter(d, ip.e, 7), p.t.scatter(d, ip.t, 7))) << "scatter value " << d;
        // Accumulating forms with duplicates.
        torch::Tensor dup = torch::randint(0, t.size(dd), {3, 4});
        auto dp = twin(dup);
        EXPECT_TRUE(same(p.e.scatter_add(d, dp.e, sp.e), p.t.scatter_add(d, dp.t, sp.t))) << "scatter_add " << d;
        EXPECT_TRUE(same(ember::scatter(p.e, d, dp.e, sp.e, "add"), torch::scatter(p.t, d, dp.t, sp.t, "add")));
        EXPECT_TRUE(
            same(ember::scatter(p.e, d, dp.e, sp.e, "multiply"), torch::scatter(p.t, d, dp.t, sp.t, "multiply")));
        EXPECT_TRUE(same(ember::scatter(p.e, d, dp.e, 3, "add"), torch::scatter(p.t, d, dp.t, 3, "add")));
        EXPECT_TRUE(same(ember::scatter(p.e, d, dp.e, 2, "multiply"), torch::scatter(p.t, d, dp.t, 2, "multiply")));
        // In place on the non-contiguous self itself.
        auto q = twin(t.clone());
        q.t.scatter_(d, ip.t, sp.t);
        q.e.scatter_(d, ip.e, sp.e);
        EXPECT_TRUE(same(q.e, q.t));
        q.t.scatter_add_(d, dp.t, sp.t);
        q.e.scatter_add_(d, dp.e, sp.e);
        EXPECT_TRUE(same(q.e, q.t));
        q.t.scatter_(d, dp.t, 5);
        q.e.scatter_(d, dp.e, 5);
        EXPECT_TRUE(same(q.e, q.t));
      }
    }
  }
  // 0-dim and empty.
  auto z = twin(torch::tensor(2.0));
  EXPECT_TRUE(same(z.e.gather(0, from_torch(torch::tensor(0))), z.t.gather(0, torch::tensor(0))));
  EXPECT_TRUE(same(z.e.scatter(0, from_torch(torch::tensor(0)), 3.0), z.t.scatter(0, torch::tensor(0), 3.0)));
  auto m = twin(diff::random_tensor({3, 4}, torch::kFloat32, 5));
  torch::Tensor eidx = torch::zeros({0, 4}, torch::kLong);
  EXPECT_TRUE(same(m.e.gather(0, from_torch(eidx)), m.t.gather(0, eidx)));
  EXPECT_TRUE(same(m.e.scatter_add(0, from_torch(eidx), from_torch(torch::ones({0, 4}))),
                   m.t.scatter_add(0, eidx, torch::ones({0, 4}))));
}

TEST(DiffIndexing, IndexAdd) {
  for (auto dt : {torch::kFloat64, torch::kInt64}) {
    for (auto& t : layouts2(dt, 61)) {
      auto p = twin(t);
      for (int64_t d : {0, 1, -1}) {
        int64_t dd = d < 0 ? d + 2 : d;
        torch::Tensor idx = torch::tensor({1, 0, 1, 3, 1});
        std::vector<int64_t> sshape = {t.size(0), t.size(1)};
        sshape[dd] = 5;
        torch::Tensor src = diff::random_tensor(sshape, dt, 9).transpose(0, 1).contiguous().transpose(0, 1);
        auto sp = twin(src);
        if (src.sizes() != torch::IntArrayRef(sshape)) continue;
        EXPECT_TRUE(same(p.e.index_add(d, from_torch(idx), sp.e), p.t.index_add(d, idx, sp.t)));
        EXPECT_TRUE(same(p.e.index_add(d, from_torch(idx.to(torch::kInt32)), sp.e, 3),
                         p.t.index_add(d, idx.to(torch::kInt32), sp.t, 3)));
        if (dt == torch::kFloat64)
          EXPECT_TRUE(same(p.e.index_add(d, from_torch(idx), sp.e, -0.5), p.t.index_add(d, idx, sp.t, -0.5)));
        auto q = twin(t.clone());
        q.t.index_add_(d, idx, sp.t);
        q.e.index_add_(d, from_torch(idx), sp.e);
        EXPECT_TRUE(same(q.e, q.t));
      }
    }
  }
}

TEST(DiffIndexing, MaskedFillSelect) {
  for (auto dt : {torch::kFloat32, torch::kInt32, torch::kBool}) {
    for (auto& t : layouts2(dt, 71)) {
      auto p = twin(t);
      for (auto m : {mask({4, 5}, 1), mask({5}, 2), mask({4, 1}, 3), mask({3, 4, 5}, 4), mask({}, 5),
                     mask({4, 5}, 6).t().contiguous().t()}) {
        auto mp = twin(m);
        EXPECT_TRUE(same(p.e.masked_fill(mp.e, 1.5), p.t.masked_fill(mp.t, 1.5))) << m.sizes();
        EXPECT_TRUE(same(p.e.masked_fill(mp.e, from_torch(torch::tensor(-2))), p.t.masked_fill(mp.t, torch::tensor(-2))));
        EXPECT_TRUE(same(p.e.masked_select(mp.e), p.t.masked_select(mp.t))) << m.sizes();
        if (m.dim() <= 2) {
          auto q = twin(t.clone());
          q.t.masked_fill_(mp.t, 7);
          q.e.masked_fill_(mp.e, 7);
          EXPECT_TRUE(same(q.e, q.t));
        }
      }
    }
  }
  auto s = twin(torch::tensor(3.0));
  EXPECT_TRUE(same(s.e.masked_select(from_torch(torch::tensor(true))), s.t.masked_select(torch::tensor(true))));
}

TEST(DiffIndexing, NonzeroWhere) {
  for (auto dt : {torch::kFloat32, torch::kInt64, torch::kBool}) {
    for (auto& t0 : layouts3(dt, 81)) {
      torch::Tensor t = t0.dtype() == torch::kBool ? t0 : t0 * (t0.abs() > 1);  // plenty of zeros
      auto p = twin(t);
      EXPECT_TRUE(same(p.e.nonzero(), p.t.nonzero()));
      auto we = ember::where(p.e);
      auto wt = torch::where(p.t);
      ASSERT_EQ(we.size(), wt.size());
      for (size_t i = 0; i < we.size(); ++i) EXPECT_TRUE(same(we[i], wt[i]));
    }
  }
  for (auto t : {torch::tensor(0.0), torch::tensor(2.0), torch::zeros({0, 3}), torch::tensor({NAN, 0.0f})}) {
    auto p = twin(t);
    EXPECT_TRUE(same(p.e.nonzero(), p.t.nonzero())) << t;
  }
}
