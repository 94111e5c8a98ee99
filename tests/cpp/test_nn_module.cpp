// nn::Module core: registration, traversal, state_dict, clone, hooks, containers, printing.
#include <gtest/gtest.h>

#include <ember/ember.h>

using namespace ember;
namespace nn = ember::nn;

namespace {

struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(4, 8));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(8, 2).bias(false)));
    scale = register_parameter("scale", ones({2}));
    steps = register_buffer("steps", zeros({1}, kInt64));
  }
  Tensor forward(const Tensor& x) { return fc2(relu(fc1(x))) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor scale, steps;
};
EMBER_MODULE(Net);

std::vector<std::string> keys_of(const nn::StateDict& d) { return d.keys(); }

}  // namespace

TEST(NnModule, NamedParametersInRegistrationOrder) {
  Net net;
  EXPECT_EQ(keys_of(net->named_parameters()),
            (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_EQ(keys_of(net->named_parameters(false)), (std::vector<std::string>{"scale"}));
  EXPECT_EQ(keys_of(net->named_buffers()), (std::vector<std::string>{"steps"}));
  // state_dict: each module's parameters, then its buffers, then its children (PyTorch's order).
  EXPECT_EQ(keys_of(net->state_dict()),
            (std::vector<std::string>{"scale", "steps", "fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_EQ(net->parameters().size(), 4u);
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.requires_grad());
  EXPECT_FALSE(net->steps.requires_grad());
  EXPECT_EQ(keys_of(nn::StateDict()).size(), 0u);
  auto mods = net->named_modules();
  EXPECT_EQ(mods.keys(), (std::vector<std::string>{"", "fc1", "fc2"}));
  EXPECT_EQ(net->children().size(), 2u);
}

TEST(NnModule, RegistrationErrors) {
  nn::Module m;
  EXPECT_THROW(m.register_parameter("a.b", ones({1})), Error);
  EXPECT_THROW(m.register_module("x.y", nn::Linear(1, 1)), Error);
  m.register_parameter("w", ones({1}));
  EXPECT_THROW(m.register_parameter("w", ones({1})), Error);
  EXPECT_THROW(m.register_buffer("w", ones({1})), Error);
  try {
    m.register_module("a.b", nn::Linear(1, 1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("module name can't contain \".\", got: a.b"), std::string::npos) << e.what();
  }
  nn::Linear empty{nullptr};
  EXPECT_THROW(empty.get(), Error);
  EXPECT_TRUE(empty.is_empty());
}

TEST(NnModule, ForwardAndBackward) {
  manual_seed(0);
  Net net;
  Tensor x = randn({3, 4});
  Tensor y = net(x);
  EXPECT_EQ(y.sizes(), (IntArrayRef{3, 2}));
  y.sum().backward();
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
  net->zero_grad();
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  net(x).sum().backward();
  net->zero_grad(/*set_to_none=*/false);
  for (const auto& p : net->parameters()) EXPECT_EQ(p.grad().abs().sum().item<double>(), 0.0);
}

TEST(NnModule, LinearShapeErrorNamesModuleAndShapes) {
  nn::Linear fc(4, 16);
  try {
    fc(ones({2, 3}));
    FAIL();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Linear(in_features=4, out_features=16, bias=True)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[16, 4]"), std::string::npos) << msg;
  }
}

TEST(NnModule, TrainEvalRecurse) {
  Net net;
  EXPECT_TRUE(net->is_training());
  net->eval();
  EXPECT_FALSE(net->fc1->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
}

TEST(NnModule, ToDtypeKeepsIdentity) {
  Net net;
  Tensor w = net->fc1->weight;
  net->to(kFloat64);
  EXPECT_EQ(w.dtype(), kFloat64);
  EXPECT_EQ(net->steps.dtype(), kInt64);  // integer buffers keep their dtype
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(net(ones({1, 4}, kFloat64)).dtype(), kFloat64);
}

TEST(NnModule, StateDictRoundTripAndErrors) {
  manual_seed(1);
  Net a;
  manual_seed(2);
  Net b;
  EXPECT_FALSE(a->fc1->weight.equal(b->fc1->weight));
  b->load_state_dict(a->state_dict());
  EXPECT_TRUE(a->fc1->weight.equal(b->fc1->weight));
  EXPECT_TRUE(b->fc1->weight.requires_grad());

  auto sd = a->state_dict();
  sd.erase("fc2.weight");
  sd.insert("extra", ones({1}));
  try {
    b->load_state_dict(sd);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: \"fc2.weight\". \n\t"
              "Unexpected key(s) in state_dict: \"extra\". ");
  }
  auto result = b->load_state_dict(sd, /*strict=*/false);
  EXPECT_EQ(result.missing_keys, std::vector<std::string>{"fc2.weight"});
  EXPECT_EQ(result.unexpected_keys, std::vector<std::string>{"extra"});

  auto bad = a->state_dict();
  bad["fc1.weight"] = ones({3, 4});
  Tensor before = b->fc1->bias.clone();
  bad["fc1.bias"] = zeros({8});
  try {
    b->load_state_dict(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("size mismatch for fc1.weight: copying a param with shape "
                                         "torch.Size([3, 4]) from checkpoint, the shape in current model is "
                                         "torch.Size([8, 4])."),
              std::string::npos)
        << e.what();
  }
  // Nothing was copied: the load is all or nothing.
  EXPECT_TRUE(b->fc1->bias.equal(before));
}

TEST(NnModule, CloneIsDeepAndKeepsRandomStream) {
  manual_seed(3);
  Net net;
  net->eval();
  net(ones({1, 4})).sum().backward();
  Tensor next_before = rand({3});
  manual_seed(3);
  Net net2;
  net2->eval();
  auto copy = std::dynamic_pointer_cast<NetImpl>(net2->clone());
  Tensor next_after = rand({3});
  ASSERT_TRUE(copy);
  EXPECT_TRUE(next_before.equal(next_after));  // clone consumed no random numbers
  EXPECT_FALSE(copy->fc1->weight.is_same(net2->fc1->weight));
  EXPECT_TRUE(copy->fc1->weight.equal(net2->fc1->weight));
  EXPECT_FALSE(copy->is_training());
  EXPECT_FALSE(copy->fc1->is_training());
  // The copy's members point at its own registered tensors.
  EXPECT_TRUE(copy->fc1->weight.is_same(copy->named_parameters()["fc1.weight"]));
  {
    NoGradGuard g;
    copy->fc1->weight.fill_(0);
  }
  EXPECT_NE(net2->fc1->weight.abs().sum().item<double>(), 0.0);

  nn::Sequential seq(nn::Linear(2, 3), nn::Functional([](Tensor t) { return relu(t); }), nn::Linear(3, 1));
  auto seq2 = std::dynamic_pointer_cast<nn::SequentialImpl>(seq->clone());
  ASSERT_TRUE(seq2);
  EXPECT_FALSE(seq2->ptr<nn::LinearImpl>(0)->weight.is_same(seq->ptr<nn::LinearImpl>(0)->weight));
  Tensor x = randn({4, 2});
  EXPECT_TRUE(seq2->forward(x).equal(seq->forward(x)));
}

TEST(NnModule, ForwardHooks) {
  nn::Linear fc(2, 2);
  int pre_calls = 0, post_calls = 0;
  auto h1 = fc->register_forward_pre_hook([&](nn::Module&, std::vector<Tensor>& in) {
    ++pre_calls;
    in[0] = in[0] * 0;  // replace the input
  });
  auto h2 = fc->register_forward_hook([&](nn::Module& m, const std::vector<Tensor>& in, Tensor& out) {
    ++post_calls;
    EXPECT_EQ(in.size(), 1u);
    out = out + 100;
  });
  Tensor y = fc(ones({1, 2}));
  EXPECT_EQ(pre_calls, 1);
  EXPECT_EQ(post_calls, 1);
  EXPECT_TRUE(allclose(y, fc->bias.detach().unsqueeze(0) + 100));
  // Direct forward() bypasses hooks, as in PyTorch.
  fc->forward(ones({1, 2}));
  EXPECT_EQ(pre_calls, 1);
  h1.remove();
  h2.remove();
  h2.remove();
  fc(ones({1, 2}));
  EXPECT_EQ(post_calls, 1);
  // Sequential calls its entries through their hooks.
  nn::Sequential seq(fc);
  fc->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, Tensor&) { ++post_calls; });
  seq->forward(ones({1, 2}));
  EXPECT_EQ(post_calls, 2);
}

TEST(NnModule, SequentialNestsAndIndexes) {
  manual_seed(0);
  nn::Sequential inner(nn::Linear(3, 3), nn::Functional([](Tensor t) { return tanh(t); }));
  nn::Sequential outer(nn::Linear(2, 3), inner, nn::Linear(3, 1));
  Tensor x = randn({5, 2});
  Tensor y = outer->forward(x);
  EXPECT_EQ(y.sizes(), (IntArrayRef{5, 1}));
  Tensor manual = outer->ptr<nn::LinearImpl>(2)->forward(
      tanh(outer->ptr<nn::SequentialImpl>(1)->ptr<nn::LinearImpl>(0)->forward(outer->ptr<nn::LinearImpl>(0)->forward(x))));
  EXPECT_TRUE(allclose(y, manual));
  EXPECT_EQ(outer->size(), 3u);
  EXPECT_EQ(outer[-1]->python_name(), "Linear");
  EXPECT_THROW(outer[3], IndexError);
  EXPECT_EQ(outer->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "1.0.weight", "1.0.bias", "2.weight", "2.bias"}));
  nn::Sequential empty;
  EXPECT_THROW(empty->forward(x), Error);

  nn::Sequential named({{"fc", nn::Linear(2, 2)}, {"act", nn::Functional([](Tensor t) { return relu(t); })}});
  EXPECT_EQ(named->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
}

TEST(NnModule, AnyModuleChecksArguments) {
  nn::AnyModule any(nn::Linear(2, 2));
  EXPECT_EQ(any.forward(ones({1, 2})).sizes(), (IntArrayRef{1, 2}));
  EXPECT_THROW(any.forward(ones({1, 2}), ones({1, 2})), Error);
  EXPECT_THROW(any.forward(3.0), TypeError);
  EXPECT_THROW(any.forward<int>(ones({1, 2})), TypeError);
}

TEST(NnModule, ContainersRegisterEntries) {
  nn::ModuleList list(nn::Linear(1, 2), nn::Linear(2, 3));
  list->push_back(nn::Linear(3, 4));
  list->insert(0, nn::Linear(5, 1));
  EXPECT_EQ(list->size(), 4u);
  EXPECT_EQ(list->named_parameters().keys().front(), "0.weight");
  EXPECT_EQ(list->at<nn::LinearImpl>(0).options.in_features(), 5);
  EXPECT_EQ(list->at<nn::LinearImpl>(3).options.in_features(), 3);

  nn::ModuleDict dict;
  dict->insert("enc", nn::Linear(2, 2));
  dict->insert("dec", nn::Linear(2, 1));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"enc", "dec"}));
  EXPECT_TRUE(dict->contains("dec"));
  dict->pop("enc");
  EXPECT_EQ(dict->named_parameters().keys(), (std::vector<std::string>{"dec.weight", "dec.bias"}));
  EXPECT_THROW((*dict)["nope"], IndexError);

  nn::ParameterList plist(ones({2}), zeros({3}));
  EXPECT_EQ(plist->named_parameters().keys(), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE((*plist)[1].requires_grad());
  nn::ParameterDict pdict;
  pdict->insert("alpha", ones({1}));
  EXPECT_EQ(pdict->named_parameters().keys(), std::vector<std::string>{"alpha"});
}

TEST(NnModule, ReprMatchesPyTorch) {
  nn::Sequential seq(nn::Linear(4, 16), nn::Functional([](Tensor t) { return relu(t); }),
                     nn::Linear(nn::LinearOptions(16, 1).bias(false)));
  EXPECT_EQ(seq->repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=4, out_features=16, bias=True)\n"
            "  (1): Functional()\n"
            "  (2): Linear(in_features=16, out_features=1, bias=False)\n"
            ")");
  Net net;
  EXPECT_EQ(net->repr(),
            "Net(\n"
            "  (fc1): Linear(in_features=4, out_features=8, bias=True)\n"
            "  (fc2): Linear(in_features=8, out_features=2, bias=False)\n"
            ")");
  nn::Sequential nested{nn::Sequential{nn::Flatten{}}, nn::Identity{}};
  EXPECT_EQ(nested->repr(),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): Flatten(start_dim=1, end_dim=-1)\n"
            "  )\n"
            "  (1): Identity()\n"
            ")");
  std::ostringstream os;
  os << *nn::Linear(1, 1);
  EXPECT_EQ(os.str(), "Linear(in_features=1, out_features=1, bias=True)");
}

TEST(NnModule, PythonFloatRepr) {
  EXPECT_EQ(nn::python_repr(1e-5), "1e-05");
  EXPECT_EQ(nn::python_repr(0.1), "0.1");
  EXPECT_EQ(nn::python_repr(1.0), "1.0");
  EXPECT_EQ(nn::python_repr(0.5), "0.5");
  EXPECT_EQ(nn::python_repr(20.0), "20.0");
  EXPECT_EQ(nn::python_repr(1e16), "1e+16");
  EXPECT_EQ(nn::python_repr(123456.789), "123456.789");
  EXPECT_EQ(nn::python_repr(-0.0001), "-0.0001");
  EXPECT_EQ(nn::python_repr(0.01), "0.01");
}

TEST(NnInit, FanAndGain) {
  auto [fi, fo] = nn::init::calculate_fan_in_and_fan_out(empty({6, 3, 5, 5}));
  EXPECT_EQ(fi, 75);
  EXPECT_EQ(fo, 150);
  EXPECT_THROW(nn::init::calculate_fan_in_and_fan_out(empty({3})), ValueError);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kTanh), 5.0 / 3);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kLeakyReLU, 0.2), std::sqrt(2.0 / 1.04));
}

TEST(NnInit, OrthogonalIsOrthogonal) {
  manual_seed(0);
  for (auto shape : {std::vector<int64_t>{5, 3}, std::vector<int64_t>{3, 5}, std::vector<int64_t>{4, 2, 2}}) {
    Tensor w = ember::empty(shape);
    nn::init::orthogonal_(w, 2.0);
    Tensor m = w.view({shape[0], -1});
    Tensor g = m.size(0) >= m.size(1) ? mm(m.t(), m) : mm(m, m.t());
    EXPECT_TRUE(allclose(g, eye(g.size(0)) * 4, 1e-5, 1e-5)) << g;
  }
}

TEST(NnInit, TruncNormalStaysInRange) {
  manual_seed(0);
  Tensor t = empty({10000});
  nn::init::trunc_normal_(t, 0.5, 1.0, -1.0, 1.0);
  EXPECT_GE(t.min().item<double>(), -1.0);
  EXPECT_LE(t.max().item<double>(), 1.0);
  EXPECT_NEAR(t.mean().item<double>(), 0.13, 0.03);  // mean of N(0.5,1) truncated to [-1,1]
}
