// safetensors checkpoints: round trips of every dtype, the reference writer's layout,
// state dicts, interop with PyTorch in both directions (tests/safetensors_interop.py), and
// hostile files that must fail with an error naming the file, never crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <ember/ember.h>

#include "checkpoint_test_util.h"

using namespace ember;
namespace fs = std::filesystem;

namespace {

// Each test's own directory (checkpoint_test_util.h).
struct TempDir : checkpoint_test::TempDir {
  TempDir() : checkpoint_test::TempDir("ember_safetensors_") {}
};

// The recipe items of RECIPE in tests/safetensors_interop.py (the formula: checkpoint_test::make).
using checkpoint_test::RecipeItem;
const std::vector<RecipeItem> kRecipe = {
    {"bool", kBool, {3, 4}, 'b', 3, 0},
    {"uint8", kUInt8, {5}, 'i', 50, 3},
    {"int8", kInt8, {2, 3}, 'i', 40, -100},
    {"int16", kInt16, {4}, 'i', 1000, -1500},
    {"int32", kInt32, {2, 2, 2}, 'i', 100000, -300000},
    {"int64", kInt64, {3}, 'i', static_cast<double>(int64_t{1} << 40), -5},
    {"float16", kFloat16, {2, 5}, 'f', 4.5, 0.37},
    {"bfloat16", kBFloat16, {7}, 'f', 3.0, 1.3},
    {"float32", kFloat32, {3, 4}, 'f', 5.5, 0.1},
    {"float64", kFloat64, {2, 3}, 'f', 2.0, 1e-3},
    {"layer.weight", kFloat32, {2, 3}, 'f', 1.0, 0.25},
    {"scalar", kFloat32, {}, 'f', -3.25, 1.0},
    {"empty", kFloat32, {0, 3}, 'f', 0.0, 1.0},
};

using checkpoint_test::make;

nn::StateDict recipe_tensors() {
  nn::StateDict d;
  for (const auto& r : kRecipe) d.insert(r.name, make(r.dtype, r.shape, r.kind, r.a, r.b));
  // Saved from a non-contiguous view: the file holds its values in row-major order.
  d.insert("transposed", make(kFloat32, {4, 3}, 'f', 5.5, 0.1).t());
  return d;
}

void expect_same(const Tensor& got, const Tensor& want, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(got.defined());
  EXPECT_EQ(got.dtype(), want.dtype());
  EXPECT_EQ(got.sizes().vec(), want.sizes().vec());
  EXPECT_TRUE(got.is_contiguous());
  EXPECT_TRUE(equal(got, want));
}

using checkpoint_test::read_bytes;

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(n >> (8 * i));
  return s;
}

// A file with the given header and data; `n` overrides the header-length field.
std::string write_raw(const TempDir& dir, const std::string& header, const std::string& data,
                      std::optional<uint64_t> n = std::nullopt) {
  std::string path = dir.str("hostile.safetensors");
  std::ofstream f(path, std::ios::binary);
  f << le64(n.value_or(header.size())) << header << data;
  return path;
}

// Loads `path`, expecting ember::Error whose message names the file and contains `needle`.
void expect_load_error(const std::string& path, const std::string& needle) {
  try {
    load_safetensors(path);
    ADD_FAILURE() << "no error; expected one containing \"" << needle << "\"";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

// Runs tests/safetensors_interop.py; returns its exit status, output in `out`.
int run_python(const std::string& mode, const std::string& file, const TempDir& dir, std::string& out) {
  std::string script = std::string(EMBER_TEST_DATA_DIR) + "/../safetensors_interop.py";
  std::string log = dir.str("python.log");
  std::string cmd = "/usr/bin/python3 '" + script + "' " + mode + " '" + file + "' > '" + log + "' 2>&1";
  int rc = std::system(cmd.c_str());
  out = read_bytes(log);
  return rc;
}

}  // namespace

TEST(Safetensors, RoundTripEveryDtype) {
  TempDir dir;
  auto tensors = recipe_tensors();
  std::string path = dir.str("all.safetensors");
  save_safetensors(tensors, path);
  auto loaded = load_safetensors(path);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& item : tensors) {
    ASSERT_TRUE(loaded.contains(item.key())) << item.key();
    expect_same(loaded[item.key()], item.value(), item.key());
  }
  EXPECT_TRUE(load_safetensors_metadata(path).empty());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// mmap = true: the same values, every tensor pointing into one shared mapping that outlives
// the others, writes that stay in memory, and bools normalised to 0 or 1 as a copying load
// does.
TEST(Safetensors, MappedLoad) {
  TempDir dir;
  auto tensors = recipe_tensors();
  std::string path = dir.str("all.safetensors");
  save_safetensors(tensors, path);
  auto copied = load_safetensors(path);
  auto mapped = load_safetensors(path, /*mmap=*/true);
  ASSERT_EQ(mapped.size(), tensors.size());
  const auto file_bytes = fs::file_size(path);
  const void* first = nullptr;
  for (const auto& item : tensors) {
    const Tensor& t = mapped[item.key()];
    expect_same(t, item.value(), item.key());
    if (t.numel() == 0) continue;
    // Inside one file-sized mapping: all data pointers within file_bytes of each other.
    if (!first) first = t.data_ptr();
    const auto distance = static_cast<const char*>(t.data_ptr()) - static_cast<const char*>(first);
    EXPECT_LT(static_cast<uint64_t>(distance < 0 ? -distance : distance), file_bytes) << item.key();
  }
  // A mapped tensor outlives the dict, and writing to it changes neither the file nor
  // another load.
  Tensor keep = mapped[tensors.begin()->key()];
  mapped = decltype(mapped)();
  keep.zero_();
  expect_same(load_safetensors(path)[tensors.begin()->key()], tensors.begin()->value(), "after a write");

  // Bytes other than 0 and 1 in a bool tensor read as true, mapped or not. The file is
  // written by hand: ember never writes such bytes.
  std::string bools_path = dir.str("bools.safetensors");
  {
    std::string header = R"({"b":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    file += header;
    file += std::string("\x02\x00\xff\x01", 4);
    std::ofstream(bools_path, std::ios::binary) << file;
  }
  for (bool mmap : {false, true}) {
    Tensor t = load_safetensors(bools_path, mmap)["b"];
    ASSERT_EQ(t.dtype(), kBool);
    EXPECT_TRUE(t.equal(tensor({1, 0, 1, 1}).to(kBool))) << "mmap=" << mmap;
  }
}

TEST(Safetensors, ReferenceWriterLayout) {
  TempDir dir;
  nn::StateDict d;
  d.insert("b", ones({3}, kUInt8));
  d.insert("a", ones({2}, kFloat32));
  d.insert("c", ones({1}, kFloat64));
  d.insert("d", ones({2}, kFloat32));
  std::string path = dir.str("layout.safetensors");
  save_safetensors(d, path, {{"format", "pt"}});
  std::string bytes = read_bytes(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  std::string header = bytes.substr(8, n);
  // Compact JSON, metadata first, tensors by dtype size then name, then space padding.
  std::string want =
      R"({"__metadata__":{"format":"pt"},"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("d":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},)"
      R"("b":{"dtype":"U8","shape":[3],"data_offsets":[24,27]}})";
  EXPECT_EQ(header.substr(0, want.size()), want);
  EXPECT_EQ(header.find_first_not_of(' ', want.size()), std::string::npos);
  EXPECT_EQ(bytes.size(), 8 + n + 27);
  // The loader returns the header's order.
  EXPECT_EQ(load_safetensors(path).keys(), (std::vector<std::string>{"c", "a", "d", "b"}));
  EXPECT_EQ(load_safetensors_metadata(path), (SafetensorsMetadata{{"format", "pt"}}));
}

TEST(Safetensors, SavesValuesNotAutogradState) {
  TempDir dir;
  nn::StateDict d;
  Tensor w = randn({3, 2}, kFloat32).requires_grad_();
  d.insert("w", w);
  d.insert("view", w.narrow(1, 1, 1));  // shares w's storage; written as its own values
  std::string path = dir.str("grad.safetensors");
  save_safetensors(d, path);
  auto loaded = load_safetensors(path);
  EXPECT_FALSE(loaded["w"].requires_grad());
  EXPECT_TRUE(equal(loaded["w"], w.detach()));
  EXPECT_TRUE(equal(loaded["view"], w.detach().narrow(1, 1, 1)));
}

TEST(Safetensors, EmptyDictAndOverwrite) {
  TempDir dir;
  std::string path = dir.str("x.safetensors");
  save_safetensors(nn::StateDict(), path);
  EXPECT_EQ(load_safetensors(path).size(), 0u);
  nn::StateDict d;
  d.insert("x", full({2}, 7.0));
  save_safetensors(d, path);  // replaces the file
  EXPECT_TRUE(equal(load_safetensors(path)["x"], full({2}, 7.0)));
}

TEST(Safetensors, SaveErrors) {
  TempDir dir;
  nn::StateDict d;
  d.insert("__metadata__", ones({1}));
  EXPECT_THROW(save_safetensors(d, dir.str("a.safetensors")), Error);
  nn::StateDict u;
  u.insert("u", Tensor());
  EXPECT_THROW(save_safetensors(u, dir.str("a.safetensors")), Error);
  // A directory that does not exist: the error names the path, nothing is left behind.
  std::string bad = dir.str("missing/dir/model.safetensors");
  try {
    save_safetensors(recipe_tensors(), bad);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(bad + ".tmp"));
}

TEST(Safetensors, StateDictOfModule) {
  TempDir dir;
  manual_seed(0);
  auto make_model = [] {
    return nn::Sequential(nn::Linear(3, 4), nn::Functional([](Tensor t) { return relu(t); }), nn::Linear(4, 2));
  };
  auto model = make_model();
  std::string path = dir.str("model.safetensors");
  nn::save_state_dict(*model, path);
  EXPECT_EQ(load_safetensors_metadata(path).at("format"), "pt");

  auto other = make_model();  // different random init
  EXPECT_FALSE(equal(other->parameters()[0], model->parameters()[0]));
  auto result = nn::load_state_dict(*other, path);
  EXPECT_TRUE(result.missing_keys.empty());
  auto x = randn({5, 3});
  EXPECT_TRUE(equal(other->forward(x), model->forward(x)));

  // strict: a model with another structure is rejected; non-strict reports the keys.
  auto bigger = nn::Sequential(nn::Linear(3, 4), nn::Functional([](Tensor t) { return relu(t); }), nn::Linear(4, 2), nn::Linear(2, 2));
  EXPECT_THROW(nn::load_state_dict(*bigger, path), Error);
  auto partial = nn::load_state_dict(*bigger, path, /*strict=*/false);
  EXPECT_EQ(partial.missing_keys, (std::vector<std::string>{"3.weight", "3.bias"}));
  EXPECT_TRUE(equal(bigger->parameters()[0], model->parameters()[0]));
}

TEST(Safetensors, PyTorchReadsEmberFiles) {
  TempDir dir;
  std::string path = dir.str("ember.safetensors");
  save_safetensors(recipe_tensors(), path, {{"format", "pt"}, {"epoch", "3"}});
  std::string out;
  int rc = run_python("check", path, dir, out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("OK 14 tensors, metadata {\"epoch\": \"3\", \"format\": \"pt\"}"), std::string::npos) << out;
}

TEST(Safetensors, EmberReadsPyTorchFiles) {
  TempDir dir;
  std::string path = dir.str("python.safetensors");
  std::string out;
  ASSERT_EQ(run_python("write", path, dir, out), 0) << out;
  auto loaded = load_safetensors(path);
  auto want = recipe_tensors();
  ASSERT_EQ(loaded.size(), want.size() + 1);
  for (const auto& item : want) {
    ASSERT_TRUE(loaded.contains(item.key())) << item.key();
    expect_same(loaded[item.key()], item.value(), item.key());
  }
  // A JSON \u escape in a name decodes to UTF-8.
  ASSERT_TRUE(loaded.contains("caf\xc3\xa9.bias"));
  expect_same(loaded["caf\xc3\xa9.bias"], make(kFloat64, {2}, 'f', 0.0, 0.5), "cafe");
  EXPECT_EQ(load_safetensors_metadata(path), (SafetensorsMetadata{{"format", "pt"}, {"writer", "python"}}));
}

// ---- hostile files -------------------------------------------------------------------

namespace {
const std::string k24(24, '\0');
std::string f32_entry(const std::string& name, const std::string& shape, uint64_t b, uint64_t e) {
  return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + std::to_string(b) +
         "," + std::to_string(e) + "]}";
}
}  // namespace

TEST(SafetensorsHostile, TooShortForHeaderLength) {
  TempDir dir;
  std::string path = dir.str("short.safetensors");
  std::ofstream(path, std::ios::binary) << "abcd";
  expect_load_error(path, "fewer than the 8-byte header length");
}

TEST(SafetensorsHostile, MissingFileAndDirectory) {
  TempDir dir;
  expect_load_error(dir.str("nope.safetensors"), "cannot open");
  expect_load_error(dir.path.string(), "is a directory");
}

TEST(SafetensorsHostile, HeaderLengthBeyondFile) {
  TempDir dir;
  expect_load_error(write_raw(dir, "{}", "", 4096), "header length 4096 is larger than the file");
  expect_load_error(write_raw(dir, "{}", "", UINT64_MAX), "exceeds the limit");
  expect_load_error(write_raw(dir, "{}", "", 100'000'001), "exceeds the limit");
}

TEST(SafetensorsHostile, BadJson) {
  TempDir dir;
  expect_load_error(write_raw(dir, R"({"a": {"dtype": "F32",)", ""), "invalid JSON header");
  expect_load_error(write_raw(dir, "[1, 2]", ""), "does not start with '{'");
  expect_load_error(write_raw(dir, "", ""), "does not start with '{'");
  expect_load_error(write_raw(dir, "{} trailing", ""), "invalid JSON header");
  expect_load_error(write_raw(dir, "{\"\xff\":1}", ""), "invalid JSON header");  // not UTF-8
  expect_load_error(write_raw(dir, R"({"a": 5})", ""), "expected an object");
}

TEST(SafetensorsHostile, BadEntries) {
  TempDir dir;
  expect_load_error(write_raw(dir, R"({"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0')),
                    "unknown dtype \"F12\"");
  expect_load_error(write_raw(dir, R"({"a":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", std::string(4, '\0')),
                    "tensor 'a' has dtype U16, which ember does not support");
  expect_load_error(write_raw(dir, R"({"a":{"shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0')),
                    "missing field 'dtype'");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[-1]", 0, 4) + "}", std::string(4, '\0')),
                    "non-negative integers, got -1");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[1.5]", 0, 4) + "}", std::string(4, '\0')),
                    "non-negative integers");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "\"2\"", 0, 4) + "}", std::string(4, '\0')),
                    "shape must be a list");
  expect_load_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", std::string(4, '\0')),
                    "data_offsets must be a list [begin, end]");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[0]", 4, 0) + "}", ""), "end before they begin");
  expect_load_error(write_raw(dir, R"({"__metadata__":{"format":1}})", ""), "__metadata__ value of 'format'");
  expect_load_error(write_raw(dir, R"({"__metadata__":[1]})", ""), "__metadata__ must be an object");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[6]", 0, 24) + "," + f32_entry("a", "[6]", 0, 24) + "}", k24),
                    "names 'a' twice");
}

TEST(SafetensorsHostile, ShapeOffsetMismatch) {
  TempDir dir;
  expect_load_error(write_raw(dir, "{" + f32_entry("w", "[2,3]", 0, 20) + "}", std::string(20, '\0')),
                    "tensor 'w' of dtype F32 and shape [2, 3] needs 24 bytes, but its data_offsets [0, 20] span 20");
  // Element counts that overflow 64 bits, and empty tensors whose strides would.
  expect_load_error(write_raw(dir, "{" + f32_entry("w", "[4294967296,4294967296]", 0, 0) + "}", ""), "is too large");
  expect_load_error(
      write_raw(dir, "{" + f32_entry("w", "[0,4611686018427387904,4611686018427387904]", 0, 0) + "}", ""),
      "is too large");
  expect_load_error(write_raw(dir, "{" + f32_entry("w", "[18446744073709551615]", 0, 0) + "}", ""), "too large");
}

TEST(SafetensorsHostile, OffsetsOutOfRangeOverlappingOrNotCovering) {
  TempDir dir;
  // Past the end of the file.
  expect_load_error(write_raw(dir, "{" + f32_entry("w", "[6]", 0, 24) + "}", std::string(16, '\0')),
                    "the tensors need 24 bytes of data but the file holds only 16");
  expect_load_error(
      write_raw(dir, "{" + f32_entry("w", "[1]", 18446744073709551608ull, 18446744073709551612ull) + "}", ""),
      "without gaps");
  // Overlap.
  expect_load_error(
      write_raw(dir, "{" + f32_entry("a", "[2]", 0, 8) + "," + f32_entry("b", "[2]", 4, 12) + "}", std::string(12, '\0')),
      "tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8])");
  // Gap (the layout is not contiguous), including a first tensor that does not start at 0.
  expect_load_error(
      write_raw(dir, "{" + f32_entry("a", "[1]", 0, 4) + "," + f32_entry("b", "[1]", 8, 12) + "}", std::string(12, '\0')),
      "tensor 'b' starts at byte 8 of the data buffer but tensor 'a' ends at byte 4");
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[1]", 4, 8) + "}", std::string(8, '\0')),
                    "but the buffer starts at byte 0");
  // Trailing bytes after the last tensor.
  expect_load_error(write_raw(dir, "{" + f32_entry("a", "[1]", 0, 4) + "}", std::string(9, '\0')),
                    "the file has 5 bytes after the last tensor's data");
}

TEST(SafetensorsHostile, ToleratedVariations) {
  TempDir dir;
  // Spaces, unknown fields, padding not a multiple of 8, bool bytes other than 0/1.
  std::string header = R"({ "m" : {"dtype":"BOOL", "extra": [1], "shape":[3],"data_offsets":[0,3]} }  )";
  auto loaded = load_safetensors(write_raw(dir, header, std::string("\x00\x02\x01", 3)));
  Tensor m = loaded["m"];
  EXPECT_EQ(m.dtype(), kBool);
  EXPECT_TRUE(equal(m, tensor({false, true, true})));
  EXPECT_EQ(m.to(kUInt8).sum().item<int64_t>(), 2);  // normalised to 0/1
}
