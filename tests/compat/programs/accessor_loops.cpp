// LibTorch-style program 7: hand-written loops over tensor elements, and a module whose
// forward has default arguments. Elements are read and written through t.accessor<T, N>()
// and packed_accessor64 (contiguous, transposed and integer tensors) in c10::irange loops;
// a TORCH_MODULE declaring FORWARD_HAS_DEFAULT_ARGS is trained inside an nn::Sequential,
// which calls it with one argument, and called through nn::AnyModule with one, two and
// three. Builds unchanged against LibTorch and against ember through ember::torch_compat.
#include <torch/torch.h>
#include <c10/util/irange.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

// Pairwise squared distances, one element at a time.
torch::Tensor pairwise_sq_dist(const torch::Tensor& a, const torch::Tensor& b) {
  auto out = torch::zeros({a.size(0), b.size(0)});
  auto A = a.accessor<float, 2>();
  auto B = b.accessor<float, 2>();
  auto O = out.accessor<float, 2>();
  for (const auto i : c10::irange(A.size(0))) {
    for (const auto j : c10::irange(B.size(0))) {
      float sum = 0;
      for (const auto k : c10::irange(A.size(1))) {
        const float diff = A[i][k] - B[j][k];
        sum += diff * diff;
      }
      O[i][j] = sum;
    }
  }
  return out;
}

// A residual block: x + scale * tanh(fc(x)), optionally gated elementwise.
struct GatedResidualImpl : torch::nn::Module {
  explicit GatedResidualImpl(int64_t features) { fc = register_module("fc", torch::nn::Linear(features, features)); }
  torch::Tensor forward(torch::Tensor x, double scale = 0.5, torch::Tensor gate = {}) {
    auto h = torch::tanh(fc->forward(x)) * scale;
    if (gate.defined()) h = h * gate;
    return x + h;
  }
  torch::nn::Linear fc{nullptr};

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(0.5)}, {2, torch::nn::AnyValue(torch::Tensor())})
};
TORCH_MODULE(GatedResidual);

// The first line of an exception's message (LibTorch appends where it was raised).
std::string first_line(const std::exception& e) {
  std::string message = e.what();
  return message.substr(0, message.find('\n'));
}

int main(int argc, char** argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
  torch::manual_seed(3);

  // Part 1: loops through accessors agree with tensor operations.
  auto a = torch::randn({6, 4});
  auto b = torch::randn({5, 4});
  auto dist = pairwise_sq_dist(a, b);
  auto reference = (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(2);
  TORCH_CHECK(torch::allclose(dist, reference, 1e-4, 1e-5), "accessor loops disagree with tensor operations");
  std::printf("pairwise sum %.4f\n", dist.sum().item<float>());

  // The nearest b for each a, through a packed accessor.
  auto P = dist.packed_accessor64<float, 2>();
  std::printf("nearest:");
  for (const auto i : c10::irange(P.size(0))) {
    int64_t best = 0;
    for (const auto j : c10::irange(1, P.size(1)))
      if (P[i][j] < P[i][best]) best = j;
    std::printf(" %ld", static_cast<long>(best));
  }
  std::printf("\n");

  // Writes through a transposed view land in the base tensor.
  auto m = torch::zeros({4, 6});
  auto mt = m.t();
  auto T = mt.accessor<float, 2>();
  for (const auto i : c10::irange(T.size(0)))
    for (const auto j : c10::irange(T.size(1))) T[i][j] = static_cast<float>(i * 10 + j);
  std::printf("transposed sizes %ld %ld strides %ld %ld; m[2][5] %.1f, sum %.1f\n", static_cast<long>(T.size(0)),
              static_cast<long>(T.size(1)), static_cast<long>(T.stride(0)), static_cast<long>(T.stride(1)),
              m[2][5].item<float>(), m.sum().item<float>());

  // A histogram of int64 labels.
  auto labels = (torch::arange(20, torch::kLong) * 7) % 3;
  auto counts = torch::zeros({3}, torch::kLong);
  auto L = labels.accessor<int64_t, 1>();
  auto C = counts.accessor<int64_t, 1>();
  for (const auto i : c10::irange(L.size(0))) C[L[i]] += 1;
  std::printf("label counts %ld %ld %ld\n", static_cast<long>(C[0]), static_cast<long>(C[1]),
              static_cast<long>(C[2]));

  // Running sums over a std::vector, from its second element (irange in size_t).
  std::vector<double> values{0.5, 1.5, 2.5, 3.5};
  double tail = 0;
  for (const auto i : c10::irange(1, values.size())) tail += values[i];
  int empty_loops = 0;
  for (const auto i : c10::irange(5, 2)) empty_loops += i;
  std::printf("tail sum %.1f, empty range %d\n", tail, empty_loops);

  // The accessor's checks: the dimension count first, then the dtype.
  try {
    dist.accessor<float, 3>();
    std::printf("dims not checked\n");
  } catch (const std::exception& e) {
    std::printf("refused: %s\n", first_line(e).c_str());
  }
  try {
    dist.accessor<double, 2>();
    std::printf("dtype not checked\n");
  } catch (const std::exception& e) {
    std::printf("refused: %s\n", first_line(e).c_str());
  }

  // Part 2: the module with default forward arguments inside a Sequential.
  auto x = torch::randn({64, 4});
  auto y = torch::sin(x.sum(1, /*keepdim=*/true));
  torch::nn::Sequential net(torch::nn::Linear(4, 8), GatedResidual(8), torch::nn::Linear(8, 1));
  torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  float first_loss = 0, loss_value = 0;
  for (int64_t step = 1; step <= 200 * scale; ++step) {
    optimizer.zero_grad();
    auto loss = torch::mse_loss(net->forward(x), y);
    loss.backward();
    optimizer.step();
    loss_value = loss.item<float>();
    if (step == 1) first_loss = loss_value;
    if (step % 40 == 0) std::printf("step %ld loss %.5f\n", static_cast<long>(step), loss_value);
  }
  TORCH_CHECK(loss_value < 0.5 * first_loss, "training did not reduce the loss: ", first_loss, " -> ", loss_value);

  // Through AnyModule: missing trailing arguments take their declared defaults.
  torch::nn::AnyModule any(GatedResidual(3));
  auto h = torch::randn({2, 3});
  auto one = any.forward(h);
  auto two = any.forward(h, 0.5);
  auto three = any.forward(h, 0.5, torch::ones({2, 3}));
  auto gated = any.forward(h, 2.0, torch::full({2, 3}, 0.5));
  std::printf("defaults equal %d %d; gated sum %.4f, default sum %.4f\n", static_cast<int>(one.equal(two)),
              static_cast<int>(one.allclose(three)), gated.sum().item<float>(), one.sum().item<float>());
  try {
    any.forward();
    std::printf("zero arguments accepted\n");
  } catch (const std::exception&) {
    std::printf("zero arguments refused\n");
  }
  std::printf("done\n");
  return 0;
}
