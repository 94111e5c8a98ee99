// D1: DataLoader throughput with a costly per-sample transform, ember side. The same work in
// PyTorch is benchmarks/bench_data_torch.py; benchmarks/compare_data.py runs both.
//
// Data: N single-channel 28x28 float images in [0, 1] (uniform noise from seed 0), int64
// labels. Per sample: Resize to 64x64 (bilinear), RandomRotation(15) (nearest, fill 0),
// Normalize(0.5, 0.5). Batches of 64, shuffled, default collation, num_workers 0 and 2.
// Prints one JSON line per worker count: samples per second over `--epochs` passes (after
// one warm-up pass), as {"impl", "bench", "metrics": {"samples_per_s": {median, min, max}}}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ember/ember.h>

using namespace ember;
using namespace ember::data;

int main(int argc, char** argv) {
  int64_t samples = 8192;
  int epochs = 3;
  std::vector<size_t> workers = {0, 2};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--samples" && i + 1 < argc) samples = std::atoll(argv[++i]);
    else if (a == "--epochs" && i + 1 < argc) epochs = std::atoi(argv[++i]);
    else if (a == "--workers" && i + 1 < argc) {
      workers.clear();
      std::string list = argv[++i];
      for (size_t p = 0; p <= list.size();) {
        size_t q = list.find(',', p);
        if (q == std::string::npos) q = list.size();
        workers.push_back(std::stoul(list.substr(p, q - p)));
        p = q + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--samples N] [--epochs E] [--workers 0,2]\n", argv[0]);
      return 2;
    }
  }
  manual_seed(0);
  datasets::TensorDataset ds(rand({samples, 1, 28, 28}), randint(0, 10, {samples}));
  transforms::Compose pipeline({transforms::Resize({64, 64}), transforms::RandomRotation(15),
                                transforms::Normalize<>(0.5, 0.5)});
  auto mapped = ds.map(pipeline);
  for (size_t w : workers) {
    DataLoader loader(mapped, DataLoaderOptions().batch_size(64).shuffle(true).num_workers(w));
    std::vector<double> rates;
    double checksum = 0;
    for (int e = 0; e < epochs + 1; ++e) {
      auto t0 = std::chrono::steady_clock::now();
      int64_t n = 0;
      for (auto& batch : loader) {
        n += batch.data.size(0);
        checksum += batch.target[0].item<int64_t>();
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (e > 0) rates.push_back(static_cast<double>(n) / s);  // pass 0 warms up
    }
    std::sort(rates.begin(), rates.end());
    std::printf(
        "{\"impl\": \"ember\", \"bench\": \"D1.loader_workers%zu\", \"threads\": %d, \"metrics\": {\"samples_per_s\": "
        "{\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}}, \"checksum\": %.0f}\n",
        w, get_num_threads(), rates[rates.size() / 2], rates.front(), rates.back(), checksum);
    std::fflush(stdout);
  }
}
