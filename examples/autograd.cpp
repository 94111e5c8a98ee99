// Autograd, following the notes: tensors that require grad record the operations applied
// to them (grad_fn), backward() walks that graph in reverse and accumulates gradients into
// .grad, torch.no_grad() updates parameters without recording, and grads must be zeroed
// between steps because they accumulate.
//
//   build/release/examples/autograd
#include <iostream>

#include <ember/ember.h>

using namespace ember;

namespace {
std::string grad_fn_name(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : "None"; }

// The notes' compute_z: z = 2 * (a - b) + c, written with the op functions.
Tensor compute_z(const Tensor& a, const Tensor& b, const Tensor& c) {
  Tensor r1 = sub(a, b);
  Tensor r2 = mul(r1, 2);
  return add(r2, c);
}
}  // namespace

int main() {
  manual_seed(1);

  std::cout << "== z = 2 * (a - b) + c ==\n";
  Tensor a = tensor(3.14).requires_grad_();
  Tensor b = tensor(1.5).requires_grad_();
  Tensor c = tensor(0.5, TensorOptions().requires_grad(true));
  Tensor z = compute_z(a, b, c);
  std::cout << "z = " << z << "\n";
  z.backward();
  std::cout << "dz/da = " << a.grad() << "\n"   // 2
            << "dz/db = " << b.grad() << "\n"   // -2
            << "dz/dc = " << c.grad() << "\n";  // 1

  std::cout << "\n== only floating-point tensors can require gradients ==\n";
  try {
    tensor({1, 2, 3}).requires_grad_();
  } catch (const Error& e) {
    std::cout << "RuntimeError: " << e.what() << "\n";
  }

  std::cout << "\n== Glorot (Xavier) initialisation of a tensor that requires grad ==\n";
  Tensor w = tensor({1.0, 2.0, 3.0});
  w.requires_grad_();
  {
    NoGradGuard no_grad;  // initialisers write in place without recording
    nn::init::xavier_normal_(w.view({1, 3}));
  }
  std::cout << "w = " << w << "\n";

  std::cout << "\n== the w1..w4 graph: b = w1*a, c = w2*a, d = w3*b + w4*c, L = 10 - d ==\n";
  Tensor x = tensor({1.0}).requires_grad_();
  Tensor w1 = tensor({1.0}).requires_grad_(), w2 = tensor({1.0}).requires_grad_();
  Tensor w3 = tensor({1.0}).requires_grad_(), w4 = tensor({1.0}).requires_grad_();
  Tensor bb = w1 * x;
  Tensor cc = w2 * x;
  Tensor d = w3 * bb + w4 * cc;
  Tensor L = 10 - d;
  std::cout << "b = " << bb << ", d = " << d << "\n";
  std::cout << "L = " << L << "\n";
  L.backward();
  std::cout << "dL/dw1 = " << w1.grad() << ", dL/dw2 = " << w2.grad() << ", dL/dw3 = " << w3.grad()
            << ", dL/dw4 = " << w4.grad() << "\n";

  std::cout << "\n== chain rule through z = y * y, y = x + 2 ==\n";
  Tensor xs = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor ys = xs + 2;
  std::cout << "y.grad_fn = " << grad_fn_name(ys) << "\n";
  Tensor zs = (ys * ys).mean();
  zs.backward();
  std::cout << "dz/dx = 2 * (x + 2) / 3 = " << xs.grad() << "\n";

  std::cout << "\n== gradients accumulate until zeroed; update under no_grad ==\n";
  Tensor p = tensor({0.0}).requires_grad_();
  const double lr = 0.1;
  for (int step = 0; step < 3; ++step) {
    Tensor loss = ((p - 3) * (p - 3)).sum();  // minimum at p = 3
    loss.backward();
    {
      NoGradGuard no_grad;
      p.sub_(p.grad() * lr);
    }
    std::cout << "step " << step << ": loss " << loss.item<double>() << ", grad " << p.grad().item<double>()
              << ", p " << p.item<double>() << "\n";
    p.mutable_grad().zero_();  // p.grad.zero_()
  }
  return 0;
}
