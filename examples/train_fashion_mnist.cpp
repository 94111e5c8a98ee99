// ember's main job (until the nn/data issues give it its CNN): train a multilayer
// perceptron on Fashion-MNIST with ember's tensors and autograd only — parameters are
// plain tensors that require grad, the loss is log_softmax + gather, and SGD with momentum
// is written out under NoGradGuard, as the seeds' notes do by hand.
//
//   build/release/examples/train_fashion_mnist [--epochs 15] [--batch-size 128] [--lr 0.02]
//       [--momentum 0.9] [--hidden 256] [--threads N] [--data DIR] [--seed 0] [--limit N]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <ember/ember.h>
#include <ember/data/idx.h>
#include <ember/utils/progress.h>

using namespace ember;

namespace {
struct Args {
  int epochs = 15;
  int64_t batch_size = 128;
  double lr = 0.02;
  double momentum = 0.9;
  int64_t hidden = 256;
  int threads = 0;
  int64_t limit = 0;  // use only the first N training images (tests use it)
  uint64_t seed = 0;
  std::string data = "/usr/share/datasets/fashion-mnist";
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--epochs") a.epochs = std::stoi(next());
    else if (k == "--batch-size") a.batch_size = std::stoll(next());
    else if (k == "--lr") a.lr = std::stod(next());
    else if (k == "--momentum") a.momentum = std::stod(next());
    else if (k == "--hidden") a.hidden = std::stoll(next());
    else if (k == "--threads") a.threads = std::stoi(next());
    else if (k == "--limit") a.limit = std::stoll(next());
    else if (k == "--seed") a.seed = std::stoull(next());
    else if (k == "--data") a.data = next();
    else if (k == "--help" || k == "-h") {
      std::printf("usage: train_fashion_mnist [--epochs N] [--batch-size N] [--lr X] [--momentum X] [--hidden N]\n"
                  "                           [--threads N] [--data DIR] [--seed N] [--limit N]\n");
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown argument %s (try --help)\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

// Images as float [N, 784], normalised with Fashion-MNIST's mean and std.
Tensor load_images(const std::string& path) {
  Tensor raw = data::read_idx(path);
  return ((raw.to(kFloat32) / 255.0) - 0.2860).div(0.3530).view({raw.size(0), -1});
}

// nn.Linear's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both.
std::pair<Tensor, Tensor> linear_params(int64_t in, int64_t out) {
  double bound = 1.0 / std::sqrt(static_cast<double>(in));
  Tensor w = empty({out, in}).uniform_(-bound, bound).requires_grad_();
  Tensor b = empty({out}).uniform_(-bound, bound).requires_grad_();
  return {w, b};
}

double accuracy(const Tensor& logits, const Tensor& labels) {
  return logits.argmax(1).eq(labels).sum().item<double>() / static_cast<double>(labels.numel());
}
}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  if (args.threads > 0) set_num_threads(args.threads);
  manual_seed(args.seed);
  const std::string dir = args.data;
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) {
    std::fprintf(stderr,
                 "Fashion-MNIST not found in %s.\nInstall it with: apt-get install dataset-fashion-mnist "
                 "(scripts/setup.sh does), or pass --data DIR.\n",
                 dir.c_str());
    return 1;
  }
  Tensor train_x = load_images(dir + "/train-images-idx3-ubyte.gz");
  Tensor train_y = data::read_idx(dir + "/train-labels-idx1-ubyte.gz").to(kInt64);
  Tensor test_x = load_images(dir + "/t10k-images-idx3-ubyte.gz");
  Tensor test_y = data::read_idx(dir + "/t10k-labels-idx1-ubyte.gz").to(kInt64);
  if (args.limit > 0 && args.limit < train_x.size(0)) {
    train_x = train_x.narrow(0, 0, args.limit);
    train_y = train_y.narrow(0, 0, args.limit);
  }
  const int64_t n = train_x.size(0);
  std::printf("ember: MLP 784-%lld-%lld-10 on Fashion-MNIST (%lld train, %lld test), batch %lld, lr %g, "
              "momentum %g, %d threads\n",
              (long long)args.hidden, (long long)(args.hidden / 2), (long long)n, (long long)test_x.size(0),
              (long long)args.batch_size, args.lr, args.momentum, get_num_threads());

  auto [w1, b1] = linear_params(784, args.hidden);
  auto [w2, b2] = linear_params(args.hidden, args.hidden / 2);
  auto [w3, b3] = linear_params(args.hidden / 2, 10);
  std::vector<Tensor> params = {w1, b1, w2, b2, w3, b3};
  std::vector<Tensor> velocity;
  for (const Tensor& p : params) velocity.push_back(zeros_like(p));

  auto forward = [&](const Tensor& x) {
    Tensor h1 = relu(addmm(b1, x, w1.t()));
    Tensor h2 = relu(addmm(b2, h1, w2.t()));
    return addmm(b3, h2, w3.t());
  };

  const int64_t steps = (n + args.batch_size - 1) / args.batch_size;
  double test_acc = 0;
  for (int epoch = 1; epoch <= args.epochs; ++epoch) {
    Tensor perm = randperm(n);
    utils::ProgressBar bar(steps, "epoch " + std::to_string(epoch) + "/" + std::to_string(args.epochs));
    double loss_sum = 0, correct = 0;
    for (int64_t s = 0; s < steps; ++s) {
      int64_t start = s * args.batch_size, len = std::min(args.batch_size, n - start);
      Tensor idx = perm.narrow(0, start, len);
      Tensor xb = train_x.index_select(0, idx), yb = train_y.index_select(0, idx);
      Tensor logits = forward(xb);
      Tensor loss = -log_softmax(logits, 1).gather(1, yb.unsqueeze(1)).mean();
      for (Tensor& p : params) p.mutable_grad() = Tensor();  // zero_grad(set_to_none=true)
      loss.backward();
      {
        NoGradGuard no_grad;
        for (size_t i = 0; i < params.size(); ++i) {
          velocity[i].mul_(args.momentum).add_(params[i].grad());
          params[i].sub_(velocity[i], args.lr);
        }
        loss_sum += loss.item<double>() * len;
        correct += accuracy(logits, yb) * len;
      }
      bar.update();
      char post[64];
      std::snprintf(post, sizeof post, "loss=%.4f acc=%.3f", loss_sum / (start + len), correct / (start + len));
      bar.set_postfix(post);
    }
    bar.close();
    {
      NoGradGuard no_grad;
      test_acc = accuracy(forward(test_x), test_y);
    }
    std::printf("epoch %d: train loss %.4f, train accuracy %.4f, test accuracy %.4f\n", epoch, loss_sum / n,
                correct / n, test_acc);
    std::fflush(stdout);
  }
  return 0;
}
