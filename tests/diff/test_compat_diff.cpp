// Issue 19 against LibTorch itself: the namespace-level loss functions (ember/nn/aten.h)
// against torch::nll_loss & co. with ATen's positional arguments, in-place comparisons,
// and LibTorch's distributed samplers index for index (Note [LibTorch distributed samplers]).
#include "diff_util.h"

using diff::from_torch;
using diff::same;

namespace {
torch::Tensor probabilities(std::vector<int64_t> shape, int seed) {
  return torch::sigmoid(diff::random_tensor(shape, torch::kFloat64, seed));
}
}  // namespace

TEST(CompatDiff, ClassificationLosses) {
  torch::Tensor logits = diff::random_tensor({7, 5}, torch::kFloat64, 1);
  torch::Tensor lp = torch::log_softmax(logits, 1);
  torch::Tensor target = torch::tensor({0, 4, 2, 2, 1, 3, 0}, torch::kLong);
  torch::Tensor weight = probabilities({5}, 2) + 0.5;
  ember::Tensor elp = from_torch(lp), et = from_torch(target), ew = from_torch(weight), elogits = from_torch(logits);
  EXPECT_TRUE(same(ember::nll_loss(elp, et), torch::nll_loss(lp, target)));
  EXPECT_TRUE(same(ember::nll_loss(elp, et, ew, ember::Reduction::Sum, 2),
                   torch::nll_loss(lp, target, weight, at::Reduction::Sum, 2)));
  EXPECT_TRUE(same(ember::nll_loss(elp, et, {}, ember::Reduction::None), torch::nll_loss(lp, target, {}, at::Reduction::None)));
  EXPECT_TRUE(same(ember::cross_entropy_loss(elogits, et, ew, ember::Reduction::Mean, 4, 0.2),
                   torch::cross_entropy_loss(logits, target, weight, at::Reduction::Mean, 4, 0.2)));
  torch::Tensor p = probabilities({4, 3}, 3), y = probabilities({4, 3}, 4), w = probabilities({3}, 5);
  ember::Tensor ep = from_torch(p), ey = from_torch(y), eww = from_torch(w);
  EXPECT_TRUE(same(ember::binary_cross_entropy(ep, ey), torch::binary_cross_entropy(p, y)));
  EXPECT_TRUE(same(ember::binary_cross_entropy(ep, ey, eww.expand({4, 3}).contiguous(), ember::Reduction::None),
                   torch::binary_cross_entropy(p, y, w.expand({4, 3}).contiguous(), at::Reduction::None)));
  torch::Tensor z = diff::random_tensor({4, 3}, torch::kFloat64, 6);
  EXPECT_TRUE(same(ember::binary_cross_entropy_with_logits(from_torch(z), ey, eww, eww * 2, ember::Reduction::Sum),
                   torch::binary_cross_entropy_with_logits(z, y, w, w * 2, at::Reduction::Sum)));
  EXPECT_TRUE(same(ember::kl_div(ep.log(), ey, ember::Reduction::Sum), torch::kl_div(p.log(), y, at::Reduction::Sum)));
  EXPECT_TRUE(same(ember::kl_div(ep.log(), ey.log(), ember::Reduction::Mean, true),
                   torch::kl_div(p.log(), y.log(), at::Reduction::Mean, true)));
}

TEST(CompatDiff, RegressionLosses) {
  torch::Tensor a = diff::random_tensor({5, 4}, torch::kFloat32, 7), b = diff::random_tensor({5, 4}, torch::kFloat32, 8);
  ember::Tensor ea = from_torch(a), eb = from_torch(b);
  EXPECT_TRUE(same(ember::mse_loss(ea, eb), torch::mse_loss(a, b)));
  EXPECT_TRUE(same(ember::l1_loss(ea, eb, ember::Reduction::Sum), torch::l1_loss(a, b, at::Reduction::Sum)));
  EXPECT_TRUE(same(ember::smooth_l1_loss(ea, eb), torch::smooth_l1_loss(a, b)));
  EXPECT_TRUE(same(ember::smooth_l1_loss(ea, eb, ember::Reduction::None, 2.5),
                   torch::smooth_l1_loss(a, b, at::Reduction::None, 2.5)));
  EXPECT_TRUE(same(ember::huber_loss(ea, eb, ember::Reduction::Mean, 0.7), torch::huber_loss(a, b, at::Reduction::Mean, 0.7)));
  EXPECT_TRUE(same(ember::cosine_similarity(ea, eb, 0), torch::cosine_similarity(a, b, 0)));
  EXPECT_TRUE(same(ember::pairwise_distance(ea, eb, 3.0), torch::pairwise_distance(a, b, 3.0)));
}

TEST(CompatDiff, DropoutMasksMatch) {
  torch::manual_seed(9);
  torch::Tensor t = torch::dropout(torch::ones({300}), 0.4, true);
  ember::manual_seed(9);
  EXPECT_TRUE(same(ember::dropout(ember::ones({300}), 0.4, true), t));
  torch::manual_seed(10);
  torch::Tensor f = torch::feature_dropout(torch::ones({3, 6, 2}), 0.5, true);
  ember::manual_seed(10);
  EXPECT_TRUE(same(ember::feature_dropout(ember::ones({3, 6, 2}), 0.5, true), f));
}

TEST(CompatDiff, InPlaceComparisons) {
  torch::Tensor a = diff::random_tensor({3, 4}, torch::kFloat32, 11), b = diff::random_tensor({4}, torch::kFloat32, 12);
  ember::Tensor ea = from_torch(a), eb = from_torch(b);
  EXPECT_TRUE(same(ea.clone().lt_(eb), a.clone().lt_(b)));
  EXPECT_TRUE(same(ea.clone().ge_(0.5), a.clone().ge_(0.5)));
  torch::Tensor i = diff::random_tensor({6}, torch::kInt64, 13);
  EXPECT_TRUE(same(from_torch(i).eq_(3), i.clone().eq_(3)));
  EXPECT_TRUE(same(from_torch(i).ne_(from_torch(i.flip(0))), i.clone().ne_(i.flip(0))));
}

TEST(CompatDiff, DistributedSamplersMatchLibTorch) {
  struct Case {
    size_t size, replicas;
    bool dup;
  };
  for (Case c : {Case{10, 3, true}, Case{10, 3, false}, Case{17, 4, true}, Case{17, 1, false}, Case{64, 2, true}}) {
    for (size_t rank = 0; rank < c.replicas; ++rank) {
      for (size_t epoch : {0, 1, 5}) {
        torch::data::samplers::DistributedRandomSampler tr(c.size, c.replicas, rank, c.dup);
        ember::data::samplers::DistributedRandomSampler er(c.size, c.replicas, rank, c.dup);
        tr.set_epoch(epoch);
        er.set_epoch(epoch);
        tr.reset();
        er.reset();
        torch::data::samplers::DistributedSequentialSampler ts(c.size, c.replicas, rank, c.dup);
        ember::data::samplers::DistributedSequentialSampler es(c.size, c.replicas, rank, c.dup);
        for (size_t batch : {1, 3}) {
          std::vector<size_t> t_random, e_random, t_seq, e_seq;
          while (auto b = tr.next(batch)) t_random.insert(t_random.end(), b->begin(), b->end());
          while (auto b = er.next(batch)) e_random.insert(e_random.end(), b->begin(), b->end());
          while (auto b = ts.next(batch)) t_seq.insert(t_seq.end(), b->begin(), b->end());
          while (auto b = es.next(batch)) e_seq.insert(e_seq.end(), b->begin(), b->end());
          EXPECT_EQ(e_random, t_random) << c.size << " " << c.replicas << " rank " << rank << " epoch " << epoch;
          EXPECT_EQ(e_seq, t_seq) << c.size << " " << c.replicas << " rank " << rank;
          EXPECT_EQ(er.index(), tr.index());
          tr.reset();
          er.reset();
          ts.reset();
          es.reset();
        }
      }
    }
  }
}
