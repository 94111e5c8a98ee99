// LibTorch-style program 3: a tour of C++ autograd with custom autograd::Function classes
// (the shape of pytorch/examples' cpp/autograd): requires_grad, grad_fn names, backward
// with and without a gradient argument, NoGradGuard, higher-order gradients through
// autograd::grad, a Function whose backward returns a trailing undefined gradient for a
// defaulted parameter, and a Function with a non-tensor argument kept in saved_data.
// Builds unchanged against LibTorch and against ember through ember::torch_compat.
#include <torch/torch.h>

#include <cstdio>
#include <string>

using namespace torch::autograd;

void print_values(const char* name, const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kFloat);
  const float* p = c.data_ptr<float>();
  std::printf("%s [", name);
  for (int64_t i = 0; i < c.numel(); ++i) std::printf(i ? " %.5f" : "%.5f", p[i]);
  std::printf("]\n");
}

// y = x W^T + b, with backward written by hand.
class LinearFunction : public Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias = torch::Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];
    auto grad_output = grad_outputs[0];
    auto grad_input = grad_output.mm(weight);
    auto grad_weight = grad_output.t().mm(input);
    auto grad_bias = torch::Tensor();
    if (bias.defined()) grad_bias = grad_output.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};

// y = x * constant, the constant being a double kept in saved_data.
class MulConstant : public Function<MulConstant> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), torch::Tensor()};
  }
};

int main() {
  torch::manual_seed(0);

  // Basic graph building and grad_fn names. (x + 2 would be AddBackward1 in LibTorch's C++
  // and AddBackward0 in ember and Python: docs/pytorch-differences.md; tensor operands
  // name the same node everywhere.)
  auto x = torch::ones({2, 2}, torch::requires_grad());
  auto y = x + torch::full({2, 2}, 2.0);
  std::printf("y.grad_fn %s\n", y.grad_fn()->name().c_str());
  auto z = y * y * torch::full({2, 2}, 3.0);
  auto out = z.mean();
  std::printf("z.grad_fn %s, out.grad_fn %s\n", z.grad_fn()->name().c_str(), out.grad_fn()->name().c_str());
  out.backward();
  print_values("x.grad", x.grad());

  // requires_grad_ on an existing tensor.
  auto a = torch::randn({2, 2});
  a = ((a * 3) / (a - 1));
  std::printf("a.requires_grad %d\n", static_cast<int>(a.requires_grad()));
  a.requires_grad_(true);
  auto b = (a * a).sum();
  std::printf("b.grad_fn %s\n", b.grad_fn()->name().c_str());

  // A vector-Jacobian product.
  auto v = torch::randn(3, torch::requires_grad());
  auto w = v * 2;
  while (w.norm().item<double>() < 1000) w = w * 2;
  auto gradient = torch::tensor({0.1, 1.0, 0.0001}, torch::kFloat);
  w.backward(gradient);
  print_values("v.grad", v.grad());

  {
    torch::NoGradGuard no_grad;
    std::printf("under NoGradGuard: requires_grad %d\n", static_cast<int>(v.pow(2).requires_grad()));
  }
  std::printf("detach: requires_grad %d, equal %d\n", static_cast<int>(v.detach().requires_grad()),
              static_cast<int>(v.detach().eq(v).all().item<bool>()));

  // Higher-order gradients: a gradient penalty through autograd::grad.
  auto model = torch::nn::Linear(4, 3);
  auto input = torch::randn({3, 4}).requires_grad_(true);
  auto output = model(input);
  auto target = torch::randn({3, 3});
  auto loss = torch::nn::MSELoss()(output, target);
  auto grad_output = torch::ones_like(output);
  auto input_grad = torch::autograd::grad({output}, {input}, {grad_output}, /*retain_graph=*/true,
                                          /*create_graph=*/true)[0];
  auto gradient_penalty = torch::pow((input_grad.norm(2, /*dim=*/1) - 1), 2).mean();
  auto combined = loss + gradient_penalty;
  combined.backward();
  print_values("input.grad", input.grad());
  std::printf("penalty %.5f loss %.5f\n", gradient_penalty.item<float>(), loss.item<float>());

  // Custom functions: LinearFunction without its bias (trailing undefined gradient) and with it.
  auto xin = torch::randn({2, 3}).requires_grad_();
  auto weight = torch::randn({4, 3}).requires_grad_();
  auto yout = LinearFunction::apply(xin, weight);
  yout.sum().backward();
  print_values("linear x.grad", xin.grad());
  print_values("linear w.grad", weight.grad());

  auto bias = torch::randn({4}).requires_grad_();
  auto yb = LinearFunction::apply(xin, weight, bias);
  (yb * yb).sum().backward();
  print_values("linear+bias b.grad", bias.grad());

  auto m = torch::randn({2}).requires_grad_();
  auto ym = MulConstant::apply(m, 5.5);
  ym.sum().backward();
  print_values("mulconstant grad", m.grad());

  // A custom function inside a small training loop: fit y = 2x + 1 with LinearFunction.
  auto W = torch::zeros({1, 1}, torch::requires_grad());
  auto B = torch::zeros({1}, torch::requires_grad());
  auto xs = torch::linspace(-1, 1, 16).unsqueeze(1);
  auto ys = xs * 2 + 1;
  torch::optim::SGD sgd({W, B}, torch::optim::SGDOptions(0.2));
  for (int step = 1; step <= 60; ++step) {
    sgd.zero_grad();
    auto l = torch::mse_loss(LinearFunction::apply(xs, W, B), ys);
    l.backward();
    sgd.step();
    if (step % 20 == 0) std::printf("fit step %d loss %.6f W %.4f B %.4f\n", step, l.item<float>(),
                                    W.item<float>(), B.item<float>());
  }
  std::printf("done\n");
  return 0;
}
