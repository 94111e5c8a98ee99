#include "ember/data/datasets/mnist.h"

#include <filesystem>

#include "ember/core/error.h"
#include "ember/data/idx.h"

namespace ember::data::datasets {

namespace fs = std::filesystem;

namespace {

const MNIST::Mode kTrainMode = MNIST::Mode::kTrain;

// The first existing file among root/<stem>[.gz] and root/<name>/raw/<stem>[.gz] (also the
// "train-images.idx3-ubyte" spelling of some copies).
std::optional<std::string> find_file(const std::string& root, const std::string& name, const std::string& stem) {
  std::string dotted = stem;
  if (auto p = dotted.rfind('-', dotted.find("idx")); p != std::string::npos) dotted[p] = '.';
  for (const fs::path& dir : {fs::path(root), fs::path(root) / name / "raw"})
    for (const std::string& s : {stem, dotted})
      for (const char* ext : {"", ".gz"}) {
        fs::path p = dir / (s + ext);
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
      }
  return std::nullopt;
}

}  // namespace

MNIST::MNIST(const std::string& root, Mode mode, bool raw)
    : MNIST(root, mode == Mode::kTrain, raw,
            Info{"MNIST", "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz "
                          "and t10k-labels-idx1-ubyte.gz from http://yann.lecun.com/exdb/mnist/ into that directory"}) {}

MNIST::MNIST(const std::string& root, bool train, bool raw) : MNIST(root, train ? kTrainMode : Mode::kTest, raw) {}

MNIST::MNIST(const std::string& root, bool train, bool raw, const Info& info) : train_(train), raw_(raw) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_stem = prefix + "-images-idx3-ubyte", labels_stem = prefix + "-labels-idx1-ubyte";
  std::error_code ec;
  EMBER_CHECK(fs::is_directory(root, ec), info.name, ": data directory ", root, " does not exist. ", info.name,
              " is expected there as ", images_stem, "[.gz] and ", labels_stem, "[.gz] (or under ", root, "/",
              info.name, "/raw); ", info.how_to_get, ".");
  auto images_path = find_file(root, info.name, images_stem);
  auto labels_path = find_file(root, info.name, labels_stem);
  for (const auto& [path, stem] : {std::pair{images_path, images_stem}, std::pair{labels_path, labels_stem}})
    EMBER_CHECK(path.has_value(), info.name, ": ", stem, "[.gz] not found in ", root, " (nor in ", root, "/",
                info.name, "/raw); ", info.how_to_get, ".");

  Tensor images = read_idx(*images_path);
  EMBER_CHECK(images.dtype() == kUInt8 && images.dim() == 3, info.name, ": ", *images_path,
              " is not an MNIST image file: expected magic number 2051 (unsigned bytes, 3 dimensions), got ",
              images.dim(), " dimensions of ", images.dtype());
  Tensor labels = read_idx(*labels_path);
  EMBER_CHECK(labels.dtype() == kUInt8 && labels.dim() == 1, info.name, ": ", *labels_path,
              " is not an MNIST label file: expected magic number 2049 (unsigned bytes, 1 dimension), got ",
              labels.dim(), " dimensions of ", labels.dtype());
  EMBER_CHECK(images.size(0) == labels.size(0), info.name, ": ", *images_path, " holds ", images.size(0),
              " images but ", *labels_path, " holds ", labels.size(0), " labels");
  images_u8_ = images.unsqueeze(1);
  targets_ = labels.to(kInt64);
}

Example<> MNIST::get(size_t index) {
  EMBER_CHECK_INDEX(index < static_cast<size_t>(targets_.size(0)), "index ", index,
                    " is out of range for a dataset of size ", targets_.size(0));
  const int64_t i = static_cast<int64_t>(index);
  Tensor image = images_u8_[i];
  if (!raw_) image = image.to(kFloat32).div(255);
  return {image, targets_[i]};
}

Tensor MNIST::images() const { return raw_ ? images_u8_ : images_u8_.to(kFloat32).div(255); }

const std::vector<std::string>& MNIST::classes() const {
  static const std::vector<std::string> names = {"0 - zero", "1 - one", "2 - two",   "3 - three", "4 - four",
                                                 "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"};
  return names;
}

namespace {
const char* kFashionHowTo =
    "install Debian's package with `apt-get install dataset-fashion-mnist` (it puts the files in "
    "/usr/share/datasets/fashion-mnist/, FashionMNIST's default root), or download them from "
    "https://github.com/zalandoresearch/fashion-mnist";
}

FashionMNIST::FashionMNIST(const std::string& root, Mode mode, bool raw)
    : MNIST(root, mode == Mode::kTrain, raw, Info{"FashionMNIST", kFashionHowTo}) {}

FashionMNIST::FashionMNIST(const std::string& root, bool train, bool raw)
    : MNIST(root, train, raw, Info{"FashionMNIST", kFashionHowTo}) {}

const std::vector<std::string>& FashionMNIST::classes() const {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

}  // namespace ember::data::datasets
