// Tensor basics, following the notes: creation (empty/ones/rand/tensor), in-place `_`
// ops, indexing and slicing, item(), view/reshape/transpose/squeeze, elementwise math and
// broadcasting, split/stack/cat, and sharing memory with a C++ buffer (PyTorch's
// from_numpy). Each step prints the PyTorch line it mirrors.
//
//   build/release/examples/tensor_basics
#include <iostream>
#include <vector>

#include <ember/ember.h>

using namespace ember;
using namespace ember::indexing;

namespace {
void section(const char* title) { std::cout << "\n== " << title << " ==\n"; }
void show(const char* python, const Tensor& t) { std::cout << ">>> " << python << "\n" << t << "\n"; }
}  // namespace

int main() {
  manual_seed(1);

  section("creation");
  std::cout << ">>> torch.empty(2, 3).shape\n" << empty({2, 3}).sizes() << "\n";  // values uninitialised
  show("torch.ones(2, 2)", ones({2, 2}));
  show("torch.zeros(2, 3, dtype=torch.int64)", zeros({2, 3}, kInt64));
  show("torch.rand(2, 3)", rand({2, 3}));
  show("torch.tensor([3, 7, 1])", tensor({3, 7, 1}));
  show("torch.tensor([[2, 5], [3, 9]])", tensor({{2, 5}, {3, 9}}));
  show("torch.arange(6, dtype=torch.float32)", arange(6, kFloat32));

  section("in-place operations end with _");
  Tensor x = ones({2, 2});
  Tensor y = full({2, 2}, 3.0);
  y.add_(x);  // y += x
  show("y = torch.full((2, 2), 3.); y.add_(torch.ones(2, 2))", y);
  y.mul_(2).sub_(1);
  show("y.mul_(2).sub_(1)", y);

  section("indexing and slicing");
  Tensor t = tensor({{1, 1, 1}, {2, 2, 2}, {3, 3, 3}});
  show("t[0, :]", t.index({0, Slice()}));
  show("t[:, 0]", t.index({Slice(), 0}));
  show("t[0:2, 1:]", t.index({Slice(0, 2), Slice(1, None)}));
  show("t[0][0]", t[0][0]);
  std::cout << ">>> t[1, 2].item()\n" << t.index({1, 2}).item<int64_t>() << "\n";
  t.index_put_({Slice(), 1}, 0);
  show("t[:, 1] = 0", t);

  section("reshaping: view, reshape, transpose, squeeze");
  Tensor r = tensor({{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4}});
  std::cout << ">>> r.shape\n" << r.sizes() << "\n";
  show("r.view(12)", r.view({12}));
  show("r.view(2, -1)", r.view({2, -1}));
  show("torch.ones(2, 2).view(4, -1)", ones({2, 2}).view({4, -1}));
  show("r.reshape(3, 4).t()", r.reshape({3, 4}).t());
  show("r.transpose(0, 1)", r.transpose(0, 1));
  Tensor s = zeros({1, 3, 1});
  std::cout << ">>> torch.zeros(1, 3, 1).squeeze().shape, .unsqueeze(0).shape\n"
            << s.squeeze().sizes() << " " << s.squeeze().unsqueeze(0).sizes() << "\n";

  section("math is elementwise");
  Tensor a = tensor({1, 1});
  Tensor b = tensor({2, 2});
  show("x + y", a + b);
  show("x * y", a * b);
  Tensor m = tensor({{1., 2.}, {3., 4.}});
  show("m.exp()", m.exp());
  show("m @ m  (torch.matmul)", matmul(m, m));
  show("m.sum()", m.sum());
  show("m.mean(dim=0)", m.mean(0));

  section("broadcasting");
  show("torch.ones((3, 2)) * 2", ones({3, 2}) * 2);
  show("torch.zeros((2, 3, 2)) + torch.ones((3, 2))", zeros({2, 3, 2}) + ones({3, 2}));
  try {
    std::cout << zeros({2, 3, 2}) + ones({3, 3}) << "\n";
  } catch (const Error& e) {
    std::cout << ">>> torch.zeros((2, 3, 2)) + torch.ones((3, 3))\nRuntimeError: " << e.what() << "\n";
  }

  section("split, stack, cat");
  Tensor v = arange(10, kFloat32);
  auto parts = split(v, 4);  // torch.split(v, 4): sizes 4, 4, 2
  for (size_t i = 0; i < parts.size(); ++i) std::cout << "split part " << i << ": " << parts[i] << "\n";
  show("torch.cat([x, y])", cat({a, b}));
  show("torch.stack([x, y])", stack({a, b}));
  show("torch.stack([x, y], dim=1)", stack({a, b}, 1));

  section("sharing memory with a C++ buffer (torch.from_numpy)");
  std::vector<float> buffer = {1, 2, 3, 4};
  Tensor shared = from_blob(buffer.data(), {2, 2}, kFloat32);
  shared.mul_(10);  // writes through to `buffer`
  std::cout << "buffer after shared.mul_(10): " << buffer[0] << " " << buffer[1] << " " << buffer[2] << " "
            << buffer[3] << "\n";
  return 0;
}
