// LibTorch's torch::save / torch::load overloads (ember/io/save_load.h): module holders and
// shared_ptrs, optimisers, tensors and tensor vectors, by path and by stream, written in
// the .pt format Python's torch.load reads.
#include <gtest/gtest.h>

#include <sstream>

#include <ember/ember.h>

#include "checkpoint_test_util.h"
#include "error_of.h"

using namespace ember;
using ember::checkpoint_test::TempDir;

namespace {
struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(3, 5));
    bn = register_module("bn", nn::BatchNorm1d(5));
    fc2 = register_module("fc2", nn::Linear(5, 2));
  }
  Tensor forward(const Tensor& x) { return fc2(relu(bn(fc1(x)))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::BatchNorm1d bn{nullptr};
};
EMBER_MODULE(Net);

void train_steps(Net& net, optim::Optimizer& opt, int steps) {
  Tensor x = linspace(-1, 1, 24).view({8, 3});
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    net(x).pow(2).mean().backward();
    opt.step();
  }
}
}  // namespace

TEST(CompatSaveLoad, ModuleHolderRoundTripKeepsParameterIdentity) {
  TempDir dir("compat_save_load_");
  manual_seed(0);
  Net a;
  optim::SGD sa(a->parameters(), optim::SGDOptions(0.1));
  train_steps(a, sa, 2);  // moves the BatchNorm running statistics too
  save(a, dir.str("net.pt"));
  Net b;
  Tensor weight_before = b->fc1->weight;
  load(b, dir.str("net.pt"));
  EXPECT_TRUE(b->fc1->weight.is_same(weight_before));
  auto sa_dict = a->state_dict();
  auto sb_dict = b->state_dict();
  ASSERT_EQ(sa_dict.size(), sb_dict.size());
  for (const auto& item : sa_dict) EXPECT_TRUE(sb_dict[item.key()].equal(item.value())) << item.key();
  // The file is what torch.save(module.state_dict()) writes: a dict of tensors by name.
  nn::StateDict loaded = to_state_dict(load(dir.str("net.pt")));
  EXPECT_TRUE(loaded["bn.running_mean"].equal(a->bn->running_mean));
}

TEST(CompatSaveLoad, SharedPtrModuleAndStreams) {
  auto a = std::make_shared<NetImpl>();
  auto b = std::make_shared<NetImpl>();
  std::stringstream buffer;
  save(a, buffer);
  load(b, buffer);
  EXPECT_TRUE(b->fc2->bias.equal(a->fc2->bias));
  // A file of another module is refused with load_state_dict's message.
  auto other = std::make_shared<nn::LinearImpl>(3, 5);
  std::stringstream wrong;
  save(other, wrong);
  EXPECT_NE(error_of([&] { load(b, wrong); }).find("Missing key(s) in state_dict"), std::string::npos);
}

TEST(CompatSaveLoad, OptimizerStateResumesTraining) {
  TempDir dir("compat_save_load_");
  manual_seed(1);
  Net a;
  optim::Adam oa(a->parameters(), optim::AdamOptions(0.01));
  train_steps(a, oa, 3);
  save(a, dir.str("net.pt"));
  save(oa, dir.str("adam.pt"));

  Net b;
  optim::Adam ob(b->parameters(), optim::AdamOptions(0.01));
  load(b, dir.str("net.pt"));
  load(ob, dir.str("adam.pt"));
  train_steps(a, oa, 2);
  train_steps(b, ob, 2);
  EXPECT_TRUE(b->fc1->weight.equal(a->fc1->weight));

  // Without the optimizer's state the moments restart and the weights differ.
  Net c;
  optim::Adam oc(c->parameters(), optim::AdamOptions(0.01));
  load(c, dir.str("net.pt"));
  train_steps(c, oc, 2);
  EXPECT_FALSE(c->fc1->weight.equal(a->fc1->weight));
}

TEST(CompatSaveLoad, TensorsAndVectors) {
  TempDir dir("compat_save_load_");
  Tensor t = arange(6, kF64).view({2, 3});
  save(t, dir.str("t.pt"));
  Tensor into = zeros({1}, requires_grad());
  Tensor same = into;
  load(into, dir.str("t.pt"));
  EXPECT_TRUE(into.is_same(same));  // data replaced in place, identity kept
  EXPECT_TRUE(into.equal(t));
  EXPECT_TRUE(into.requires_grad());
  Tensor fresh;
  load(fresh, dir.str("t.pt"));
  EXPECT_TRUE(fresh.equal(t));
  EXPECT_TRUE(load(dir.str("t.pt")).toTensor().equal(t));  // a plain tensor for torch.load

  std::vector<Tensor> ts = {t, tensor({1, 2}, kI64)};
  save(ts, dir.str("ts.pt"));
  std::vector<Tensor> back;
  load(back, dir.str("ts.pt"));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(back[0].equal(t));
  EXPECT_TRUE(back[1].equal(ts[1]));
  std::stringstream s;
  save(ts, s);
  std::vector<Tensor> from_stream;
  load(from_stream, s);
  EXPECT_EQ(from_stream.size(), 2u);

  EXPECT_EQ(error_of([&] { load(fresh, dir.str("ts.pt")); }),
            "load: " + dir.str("ts.pt") + " does not hold a tensor");
  EXPECT_EQ(error_of([&] { load(back, dir.str("t.pt")); }),
            "load: " + dir.str("t.pt") + " does not hold a list of tensors");
}
