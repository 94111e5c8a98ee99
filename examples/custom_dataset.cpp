// A user-defined Dataset and user-defined Transforms, following the notes: the dataset
// class implements get(index) (Python's __getitem__, returning the sample and its
// target) and size() (__len__); transforms are classes with operator() (__call__) that
// the dataset applies to each sample it returns; Compose chains them; a DataLoader wraps
// the dataset to hand out shuffled batches.
//
// The data are a small CSV file (written first, so the example is self-contained): three
// classes of points with four features, like the wine data set of the notes' tutorial.
//
//   build/release/examples/custom_dataset [--rows 150] [--epochs 30] [--csv PATH]
// (--csv reads an existing file of that layout instead of writing a temporary one.)
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

// Writes `rows` lines "f0,f1,f2,f3,label" around three class centres.
void write_csv(const std::string& path, int64_t rows) {
  const double centres[3][4] = {{1.0, 2.0, 3.0, 0.5}, {3.0, 1.0, 0.5, 2.5}, {0.5, 3.5, 1.0, 3.0}};
  Tensor noise = 0.9 * randn({rows, 4}, kFloat64);
  std::ofstream out(path);
  out << "f0,f1,f2,f3,label\n";
  for (int64_t i = 0; i < rows; ++i) {
    int64_t label = i % 3;
    for (int j = 0; j < 4; ++j) out << centres[label][j] + noise[i][j].item<double>() << (j < 3 ? "," : "");
    out << "," << label << "\n";
  }
}

// The user's Dataset: reads the whole CSV in the constructor, returns (features, label)
// pairs, optionally transformed.
class CsvDataset : public data::Dataset<CsvDataset> {
 public:
  using Transform = std::function<Tensor(Tensor)>;

  explicit CsvDataset(const std::string& path, Transform transform = nullptr) : transform_(std::move(transform)) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::string line;
    std::getline(in, line);  // header
    std::vector<float> features;
    std::vector<int64_t> labels;
    while (std::getline(in, line)) {
      std::stringstream fields(line);
      std::string field;
      for (int j = 0; j < 4 && std::getline(fields, field, ','); ++j) features.push_back(std::stof(field));
      std::getline(fields, field, ',');
      labels.push_back(std::stoll(field));
    }
    auto n = static_cast<int64_t>(labels.size());
    features_ = tensor(features).view({n, 4});
    labels_ = tensor(labels);
  }

  // __getitem__: the sample and its target, with the transform applied to the sample.
  data::Example<> get(size_t index) override {
    Tensor x = features_[static_cast<int64_t>(index)];
    return {transform_ ? transform_(x) : x, labels_[static_cast<int64_t>(index)]};
  }
  // __len__
  std::optional<size_t> size() const override { return static_cast<size_t>(labels_.size(0)); }

  const Tensor& features() const { return features_; }

 private:
  Tensor features_, labels_;
  Transform transform_;
};

// The user's transforms: classes whose operator() transforms one sample.
class Standardize {
 public:
  Standardize(Tensor mean, Tensor std) : mean_(std::move(mean)), std_(std::move(std)) {}
  Tensor operator()(const Tensor& x) const { return (x - mean_) / std_; }

 private:
  Tensor mean_, std_;
};

class MulTransform {
 public:
  explicit MulTransform(double factor) : factor_(factor) {}
  Tensor operator()(const Tensor& x) const { return x * factor_; }

 private:
  double factor_;
};

}  // namespace

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int64_t rows = flags.get("rows", int64_t{150});
  const int epochs = flags.get("epochs", 30);
  std::string csv = flags.get("csv", "");
  flags.done();
  manual_seed(0);

  const bool generated = csv.empty();
  if (generated) {
    csv = (std::filesystem::temp_directory_path() / ("ember_custom_dataset_" + std::to_string(::getpid()) + ".csv"))
              .string();
    write_csv(csv, rows);
  }

  CsvDataset raw(csv);
  std::printf("dataset of %zu samples from %s\n", *raw.size(), csv.c_str());
  auto first = raw.get(0);
  std::printf("first sample: features %s, label %s\n", first.data.repr().c_str(), first.target.repr().c_str());

  // A dataset with a transform: standardise each feature, then scale (Compose applies
  // them in order).
  std::vector<int64_t> rows_dim = {0};
  Tensor mean = raw.features().mean(rows_dim), stdev = raw.features().std(rows_dim);
  data::transforms::Compose composed({Standardize(mean, stdev), MulTransform(2.0)});
  CsvDataset dataset(csv, composed);
  auto transformed = dataset.get(0);
  std::printf("first sample, transformed: features %s\n", transformed.data.repr().c_str());

  data::DataLoader loader(std::move(dataset), data::DataLoaderOptions(16).shuffle(true).num_workers(2));
  auto batch = *loader.begin();
  std::cout << "one batch: data " << batch.data.sizes() << ", target " << batch.target.sizes() << " ("
            << loader.size() << " batches per epoch)\n";

  // Train a softmax classifier on the transformed samples.
  nn::Linear model(4, 3);
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double total = 0;
    int64_t correct = 0, seen = 0;
    for (auto& [x, y] : loader) {
      Tensor logits = model(x);
      Tensor loss = F::cross_entropy(logits, y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(x.size(0));
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += x.size(0);
    }
    if (epoch % 10 == 0 || epoch == epochs)
      std::printf("epoch %d: loss %.4f, accuracy %.3f\n", epoch, total / static_cast<double>(seen),
                  static_cast<double>(correct) / static_cast<double>(seen));
  }
  if (generated) std::filesystem::remove(csv);
  return 0;
}
