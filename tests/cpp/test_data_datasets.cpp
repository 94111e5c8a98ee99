// Datasets: Fashion-MNIST from Debian's package, and MNIST / CIFAR-10 / ImageFolder on files
// written to a temporary directory, including malformed ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <ember/data/data.h>
#include <ember/ember.h>

using namespace ember;
using namespace ember::data;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string name = "ember_data_" + std::to_string(::getpid()) + "_" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    path = fs::temp_directory_path() / name;
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str(const std::string& sub = "") const { return (sub.empty() ? path : path / sub).string(); }
};

void write_bytes(const fs::path& p, const std::vector<unsigned char>& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put_be32(std::vector<unsigned char>& v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<unsigned char>(x >> s));
}

// An IDX file: magic 0x0000 08 <ndim>, big-endian dims, then `payload` bytes of pixel i % 256.
std::vector<unsigned char> idx(std::vector<uint32_t> dims, size_t payload, unsigned char type = 0x08) {
  std::vector<unsigned char> v = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (uint32_t d : dims) put_be32(v, d);
  for (size_t i = 0; i < payload; ++i) v.push_back(static_cast<unsigned char>((i * 7 + 3) % 256));
  return v;
}

// gzip with stored (uncompressed) deflate blocks: enough to exercise the .gz path.
std::vector<unsigned char> gzip(const std::vector<unsigned char>& data) {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  crc ^= 0xFFFFFFFFu;
  std::vector<unsigned char> out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  size_t pos = 0;
  do {
    size_t n = std::min<size_t>(65535, data.size() - pos);
    bool last = pos + n == data.size();
    out.push_back(last ? 1 : 0);
    out.push_back(n & 0xFF);
    out.push_back(n >> 8);
    out.push_back(~n & 0xFF);
    out.push_back((~n >> 8) & 0xFF);
    out.insert(out.end(), data.begin() + pos, data.begin() + pos + n);
    pos += n;
  } while (pos < data.size());
  for (uint32_t x : {crc, static_cast<uint32_t>(data.size())})
    for (int s = 0; s < 32; s += 8) out.push_back(static_cast<unsigned char>(x >> s));
  return out;
}

// EXPECT that f throws an ember::Error whose message contains every part.
template <class F>
void expect_error(F&& f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected an error mentioning " << parts[0];
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
  }
}

void write_mnist(const fs::path& dir, const std::string& prefix, uint32_t n, bool gz) {
  auto images = idx({n, 28, 28}, size_t(n) * 784);
  std::vector<unsigned char> labels = {0, 0, 8, 1};
  put_be32(labels, n);
  for (uint32_t i = 0; i < n; ++i) labels.push_back(static_cast<unsigned char>((i * 3) % 10));
  std::string ext = gz ? ".gz" : "";
  write_bytes(dir / (prefix + "-images-idx3-ubyte" + ext), gz ? gzip(images) : images);
  write_bytes(dir / (prefix + "-labels-idx1-ubyte" + ext), gz ? gzip(labels) : labels);
}

}  // namespace

TEST(DataDatasets, FashionMNISTFromDebianPackage) {
  if (!fs::is_directory(datasets::FashionMNIST::kDefaultRoot)) {
    FAIL() << "Fashion-MNIST is not installed at " << datasets::FashionMNIST::kDefaultRoot
           << ": run scripts/setup.sh (or `apt-get install dataset-fashion-mnist`); CI installs it";
  }
  datasets::FashionMNIST train;  // default root and train mode
  datasets::FashionMNIST test(datasets::FashionMNIST::kDefaultRoot, datasets::MNIST::Mode::kTest);
  ASSERT_EQ(train.size().value(), 60000u);
  ASSERT_EQ(test.size().value(), 10000u);
  EXPECT_TRUE(train.is_train());
  EXPECT_FALSE(test.is_train());
  EXPECT_TRUE(train.targets().narrow(0, 0, 10).equal(tensor({9, 0, 0, 3, 0, 2, 7, 2, 5, 5})));
  EXPECT_TRUE(test.targets().narrow(0, 0, 10).equal(tensor({9, 2, 1, 1, 6, 1, 4, 6, 5, 7})));
  EXPECT_EQ(train.targets().eq(3).sum().item<int64_t>(), 6000);
  Example<> first = train.get(0);
  EXPECT_EQ(first.data.sizes(), IntArrayRef({1, 28, 28}));
  EXPECT_EQ(first.data.dtype(), kFloat32);
  EXPECT_EQ(first.target.dtype(), kInt64);
  EXPECT_EQ(first.target.item<int64_t>(), 9);
  EXPECT_LE(first.data.max().item<float>(), 1.0f);
  EXPECT_NEAR(first.data.sum().item<double>(), 76247 / 255.0, 1e-3);
  datasets::FashionMNIST raw(datasets::FashionMNIST::kDefaultRoot, false, true);
  EXPECT_EQ(raw.get(9999).data.dtype(), kUInt8);
  EXPECT_EQ(raw.get(9999).data.sum().item<int64_t>(), 24390);
  EXPECT_EQ(train.classes()[9], "Ankle boot");
  EXPECT_THROW(test.get(10000), IndexError);
}

TEST(DataDatasets, MissingDataSaysWhereAndHowToGetIt) {
  expect_error([] { datasets::FashionMNIST("/nonexistent/fashion"); },
               {"/nonexistent/fashion", "does not exist", "train-images-idx3-ubyte", "apt-get install dataset-fashion-mnist"});
  TempDir dir;
  write_bytes(dir.path / "t10k-images-idx3-ubyte", idx({2, 28, 28}, 2 * 784));
  expect_error([&] { datasets::MNIST(dir.str(), datasets::MNIST::Mode::kTest); },
               {"t10k-labels-idx1-ubyte[.gz] not found in " + dir.str(), "yann.lecun.com"});
  expect_error([] { datasets::CIFAR10("/nonexistent/cifar"); }, {"/nonexistent/cifar", "cifar-10-binary.tar.gz"});
  expect_error([] { datasets::ImageFolder("/nonexistent/images"); }, {"/nonexistent/images", "does not exist"});
}

TEST(DataDatasets, SyntheticMNISTRawAndGzipAndTorchvisionLayout) {
  TempDir dir;
  write_mnist(dir.path, "train", 5, false);
  write_mnist(dir.path / "MNIST" / "raw", "t10k", 3, true);
  datasets::MNIST train(dir.str());
  datasets::MNIST test(dir.str(), false);
  ASSERT_EQ(train.size().value(), 5u);
  ASSERT_EQ(test.size().value(), 3u);
  EXPECT_TRUE(test.targets().equal(tensor({0, 3, 6})));
  Example<> e = train.get(1);
  // Pixel k of image 1 is ((784 + k) * 7 + 3) % 256, scaled to [0, 1].
  EXPECT_FLOAT_EQ(e.data[0][0][0].item<float>(), static_cast<float>((784 * 7 + 3) % 256) / 255.0f);
  EXPECT_EQ(train.images().sizes(), IntArrayRef({5, 1, 28, 28}));
  DataLoader loader(train, DataLoaderOptions(2).num_workers(2));
  int64_t seen = 0;
  for (auto& b : loader) seen += b.data.size(0);
  EXPECT_EQ(seen, 5);
}

TEST(DataDatasets, MalformedIdxFilesNameTheFileAndTheProblem) {
  TempDir dir;
  auto labels = [](uint32_t n) {
    std::vector<unsigned char> v = {0, 0, 8, 1};
    put_be32(v, n);
    v.resize(v.size() + n, 1);
    return v;
  };
  const fs::path images = dir.path / "train-images-idx3-ubyte";
  write_bytes(dir.path / "train-labels-idx1-ubyte", labels(4));
  // Bad magic number.
  auto bad = idx({4, 28, 28}, 4 * 784);
  bad[0] = 0x12;
  write_bytes(images, bad);
  expect_error([&] { datasets::MNIST m(dir.str()); }, {images.string(), "bad magic number"});
  // Header count disagrees with the file size (truncated payload).
  write_bytes(images, idx({4, 28, 28}, 3 * 784));
  expect_error([&] { datasets::MNIST m(dir.str()); }, {images.string(), "bytes of data but its header"});
  // Truncated inside the header.
  write_bytes(images, {0, 0, 8, 3, 0, 0});
  expect_error([&] { datasets::MNIST m(dir.str()); }, {images.string(), "truncated inside its header"});
  // A label file where the images should be.
  write_bytes(images, labels(4));
  expect_error([&] { datasets::MNIST m(dir.str()); }, {images.string(), "not an MNIST image file", "2051"});
  // Image and label counts disagree.
  write_bytes(images, idx({3, 28, 28}, 3 * 784));
  expect_error([&] { datasets::MNIST m(dir.str()); }, {images.string(), "holds 3 images", "4 labels"});
  // Corrupt gzip.
  fs::remove(images);
  auto gz = gzip(idx({4, 28, 28}, 4 * 784));
  gz.resize(gz.size() / 2);
  write_bytes(dir.path / "train-images-idx3-ubyte.gz", gz);
  expect_error([&] { datasets::MNIST m(dir.str()); }, {"train-images-idx3-ubyte.gz", "corrupt or truncated gzip"});
  // Absurd dimension count.
  write_bytes(dir.path / "train-images-idx3-ubyte.gz", gzip({0, 0, 8, 200}));
  expect_error([&] { datasets::MNIST m(dir.str()); }, {"train-images-idx3-ubyte.gz", "declares 200 dimensions"});
}

TEST(DataDatasets, CIFAR10BinaryBatches) {
  TempDir dir;
  const fs::path sub = dir.path / "cifar-10-batches-bin";
  std::vector<unsigned char> batch;
  for (int r = 0; r < 3; ++r) {
    batch.push_back(static_cast<unsigned char>(r + 4));
    for (int k = 0; k < 3072; ++k) batch.push_back(static_cast<unsigned char>((k / 1024) * 100 + r));
  }
  write_bytes(sub / "test_batch.bin", batch);
  datasets::CIFAR10 test(dir.str(), datasets::CIFAR10::Mode::kTest, true);
  ASSERT_EQ(test.size().value(), 3u);
  EXPECT_TRUE(test.targets().equal(tensor({4, 5, 6})));
  Example<> e = test.get(2);
  EXPECT_EQ(e.data.sizes(), IntArrayRef({3, 32, 32}));
  EXPECT_EQ(e.data[1][31][31].item<int64_t>(), 102);  // the green plane of record 2
  datasets::CIFAR10 scaled(dir.str(), false);
  EXPECT_FLOAT_EQ(scaled.get(0).data[2][0][0].item<float>(), 200 / 255.0f);
  EXPECT_EQ(datasets::CIFAR10::classes()[4], "deer");
  // Truncated record.
  batch.pop_back();
  write_bytes(sub / "test_batch.bin", batch);
  expect_error([&] { datasets::CIFAR10 c(dir.str(), false); }, {"test_batch.bin", "9218 bytes", "3073-byte record"});
  // Out-of-range label.
  batch.push_back(0);
  batch[3073] = 12;
  write_bytes(sub / "test_batch.bin", batch);
  expect_error([&] { datasets::CIFAR10 c(dir.str(), false); }, {"test_batch.bin", "record 1 has label 12"});
  // Train batches missing.
  expect_error([&] { datasets::CIFAR10 c(dir.str(), true); }, {"data_batch_1.bin not found"});
}

TEST(DataDatasets, ImageFolderDecodesSortedClasses) {
  TempDir dir;
  Tensor red = zeros({3, 4, 5}, TensorOptions(kUInt8));
  red[0].fill_(200);
  Tensor gray = arange(6 * 7).view({1, 6, 7}).to(kUInt8);
  fs::create_directories(dir.path / "dog");
  fs::create_directories(dir.path / "cat" / "sub");
  write_png(dir.str("dog/b.png"), red);
  write_png(dir.str("dog/a.PNG"), red);
  write_png(dir.str("cat/sub/z.png"), gray);
  write_png(dir.str("cat/y.png"), gray);
  write_bytes(dir.path / "cat" / "notes.txt", {'h', 'i'});
  datasets::ImageFolder folder(dir.str());
  EXPECT_EQ(folder.classes(), (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(folder.class_to_idx().at("dog"), 1);
  ASSERT_EQ(folder.size().value(), 4u);
  std::vector<std::string> names;
  for (const auto& [path, label] : folder.samples()) names.push_back(fs::path(path).filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"y.png", "z.png", "a.PNG", "b.png"}));
  EXPECT_EQ(folder.targets(), (std::vector<int64_t>{0, 0, 1, 1}));
  // RGB by default: a gray image is replicated into three channels, scaled to [0, 1].
  Example<> e = folder.get(0);
  EXPECT_EQ(e.data.sizes(), IntArrayRef({3, 6, 7}));
  EXPECT_TRUE(e.data[2].equal(gray[0].to(kFloat32).div(255)));
  EXPECT_EQ(e.target.item<int64_t>(), 0);
  datasets::ImageFolder raw(dir.str(), 0, true);
  EXPECT_TRUE(raw.get(3).data.equal(red));
  EXPECT_EQ(raw.get(1).data.sizes(), IntArrayRef({1, 6, 7}));
  // Different sizes batch after a Resize.
  DataLoader loader(datasets::ImageFolder(dir.str()).map(transforms::Resize({8, 8})), DataLoaderOptions(4).num_workers(2));
  EXPECT_EQ((*loader.begin()).data.sizes(), IntArrayRef({4, 3, 8, 8}));
  // An undecodable image fails on get() with its path.
  write_bytes(dir.path / "dog" / "c.png", {0x89, 'P', 'N', 'G', 1, 2, 3});
  datasets::ImageFolder broken(dir.str());
  expect_error([&] { broken.get(4); }, {"c.png", "cannot decode image"});
  expect_error([&] { read_image(dir.str("dog/missing.png")); }, {"missing.png"});
}

TEST(DataDatasets, ImageFolderErrors) {
  TempDir dir;
  expect_error([&] { datasets::ImageFolder f(dir.str()); }, {"Couldn't find any class folder in " + dir.str()});
  fs::create_directories(dir.path / "empty");
  fs::create_directories(dir.path / "full");
  write_png(dir.str("full/x.png"), zeros({1, 2, 2}, TensorOptions(kUInt8)));
  expect_error([&] { datasets::ImageFolder f(dir.str()); }, {"Found no valid file for the classes empty", ".png"});
}
