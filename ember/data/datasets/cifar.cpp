#include "ember/data/datasets/cifar.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::data::datasets {

namespace fs = std::filesystem;

namespace {
constexpr int64_t kPixels = 3 * 32 * 32;
constexpr int64_t kRecord = 1 + kPixels;
const char* kHowTo =
    "download the binary version, cifar-10-binary.tar.gz, from https://www.cs.toronto.edu/~kriz/cifar.html and "
    "extract it there";

// Reads one batch file, appending its images and labels.
void read_batch(const std::string& path, std::vector<unsigned char>& pixels, std::vector<int64_t>& labels) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(in.good(), "CIFAR10: cannot open ", path);
  const std::streamoff size = in.tellg();
  EMBER_CHECK(size > 0 && size % kRecord == 0, "CIFAR10: ", path, " has ", size, " bytes, not a positive multiple of ",
              "the 3073-byte record (1 label byte + 3x32x32 pixels): truncated or not a CIFAR-10 binary batch");
  in.seekg(0);
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  EMBER_CHECK(in.gcount() == size, "CIFAR10: error while reading ", path);
  const int64_t n = size / kRecord;
  for (int64_t r = 0; r < n; ++r) {
    const unsigned char* rec = bytes.data() + r * kRecord;
    EMBER_CHECK(rec[0] < 10, "CIFAR10: ", path, " record ", r, " has label ", int(rec[0]),
                ", expected 0..9 (not a CIFAR-10 batch? CIFAR-100 records are 3074 bytes)");
    labels.push_back(rec[0]);
    pixels.insert(pixels.end(), rec + 1, rec + kRecord);
  }
}
}  // namespace

CIFAR10::CIFAR10(const std::string& root, bool train, bool raw)
    : CIFAR10(root, train ? Mode::kTrain : Mode::kTest, raw) {}

CIFAR10::CIFAR10(const std::string& root, Mode mode, bool raw) : train_(mode == Mode::kTrain), raw_(raw) {
  std::error_code ec;
  EMBER_CHECK(fs::is_directory(root, ec), "CIFAR10: data directory ", root,
              " does not exist. CIFAR-10 is expected there (or in ", root,
              "/cifar-10-batches-bin) as data_batch_1.bin .. data_batch_5.bin and test_batch.bin; ", kHowTo, ".");
  fs::path dir = root;
  if (!fs::exists(dir / "test_batch.bin", ec) && !fs::exists(dir / "data_batch_1.bin", ec) &&
      fs::is_directory(dir / "cifar-10-batches-bin", ec))
    dir /= "cifar-10-batches-bin";
  std::vector<std::string> files;
  if (train_)
    for (int i = 1; i <= 5; ++i) files.push_back("data_batch_" + std::to_string(i) + ".bin");
  else
    files.push_back("test_batch.bin");
  std::vector<unsigned char> pixels;
  std::vector<int64_t> labels;
  for (const std::string& f : files) {
    fs::path p = dir / f;
    EMBER_CHECK(fs::is_regular_file(p, ec), "CIFAR10: ", f, " not found in ", dir.string(), "; ", kHowTo, ".");
    read_batch(p.string(), pixels, labels);
  }
  const int64_t n = static_cast<int64_t>(labels.size());
  images_ = empty({n, 3, 32, 32}, TensorOptions(kUInt8));
  std::memcpy(images_.data_ptr(), pixels.data(), pixels.size());
  targets_ = tensor(labels, TensorOptions(kInt64));
}

Example<> CIFAR10::get(size_t index) {
  EMBER_CHECK_INDEX(index < static_cast<size_t>(targets_.size(0)), "index ", index,
                    " is out of range for a dataset of size ", targets_.size(0));
  const int64_t i = static_cast<int64_t>(index);
  Tensor image = images_[i];
  if (!raw_) image = image.to(kFloat32).div(255);
  return {image, targets_[i]};
}

const std::vector<std::string>& CIFAR10::classes() {
  static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                 "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

}  // namespace ember::data::datasets
