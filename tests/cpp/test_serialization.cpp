// .pt checkpoints (io/serialize.h): round trips of every dtype, views and shared storages,
// checkpoint dicts, modules and optimizers; the archive layout; atomic saves (a save
// killed mid-write, a full disk); memory-mapped loads; interop with PyTorch both ways
// (tests/pt_interop.py); files in the 2.x and other layouts and >= 50 hostile files
// (tests/pt_files.py) that must fail with an error naming the file, never crash.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include <ember/ember.h>

#include "checkpoint_test_util.h"

#include "ember/core/tensor_impl.h"
#include "ember/io/zip.h"

using namespace ember;
namespace fs = std::filesystem;
using pickle::Value;

namespace {

// Each test's own directory (checkpoint_test_util.h).
struct TempDir : checkpoint_test::TempDir {
  TempDir() : checkpoint_test::TempDir("ember_pt_") {}
};

using checkpoint_test::read_bytes;

// The recipe of tests/pt_interop.py (RECIPE, recipe()): keep the two in sync.
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
    {"scalar", kFloat32, {}, 'f', -3.25, 1.0},
    {"empty", kFloat32, {0, 3}, 'f', 0.0, 1.0},
    {"empty_int", kInt64, {2, 0}, 'i', 1, 0},
};

using checkpoint_test::make;

nn::StateDict recipe() {
  nn::StateDict d;
  for (const auto& r : kRecipe) d.insert(r.name, make(r.dtype, r.shape, r.kind, r.a, r.b));
  d.insert("transposed", make(kFloat32, {4, 3}, 'f', 5.5, 0.1).t());
  d.insert("slice", d["float32"].view({-1}).narrow(0, 2, 5));
  d.insert("row", d["float32"].select(0, 1));
  d.insert("expanded", tensor({1.0f, 2.0f, 3.0f}).expand({4, 3}));
  d.insert("specials", tensor({NAN, INFINITY, -INFINITY, -0.0f, 1e-45f, 3.4e38f}));
  return d;
}

// Same dtype, shape, strides, offset and bytes (so NaNs and -0.0 compare exactly).
void expect_identical(const Tensor& got, const Tensor& want, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(got.defined());
  EXPECT_EQ(got.dtype(), want.dtype());
  EXPECT_EQ(got.sizes().vec(), want.sizes().vec());
  EXPECT_EQ(got.strides().vec(), want.strides().vec());
  EXPECT_EQ(got.storage_offset(), want.storage_offset());
  Tensor a = got.contiguous(), b = want.contiguous();
  ASSERT_EQ(a.nbytes(), b.nbytes());
  EXPECT_EQ(std::memcmp(a.data_ptr(), b.data_ptr(), a.nbytes()), 0);
}

void expect_recipe(const Value& v, const std::string& file) {
  SCOPED_TRACE(file);
  ASSERT_EQ(v.kind(), Value::Kind::Dict);
  EXPECT_TRUE(v.to_dict().ordered);
  nn::StateDict got = to_state_dict(v);
  nn::StateDict want = recipe();
  ASSERT_EQ(got.keys(), want.keys());
  for (const auto& item : want) expect_identical(got[item.key()], item.value(), item.key());
  // Views of one storage load as views of one storage.
  EXPECT_EQ(got["slice"].storage().get(), got["float32"].storage().get());
  EXPECT_EQ(got["row"].storage().get(), got["float32"].storage().get());
  EXPECT_NE(got["float32"].storage().get(), got["float64"].storage().get());
  EXPECT_EQ(got["transposed"].storage()->nbytes(), 48u);
  EXPECT_EQ(got["expanded"].storage()->nbytes(), 12u);
  got["slice"].select(0, 0).fill_(100.0);
  EXPECT_EQ(got["float32"][0][2].item<float>(), 100.0f);
}

nn::Sequential make_model() {  // keep in sync with model() in pt_interop.py
  manual_seed(0);
  // One statement each: the order in which a call's arguments are evaluated is unspecified,
  // and the layers draw their initial weights from the generator in construction order.
  nn::Linear fc1(3, 4);
  nn::BatchNorm1d bn(4);
  nn::Linear fc2(4, 2);
  return nn::Sequential(fc1, bn, nn::ReLU(), fc2);
}

int run_script(const std::string& script, const std::string& args, const TempDir& dir, std::string& out) {
  std::string path = std::string(EMBER_TEST_DATA_DIR) + "/../" + script;
  std::string log = dir.str("python.log");
  std::string cmd = "/usr/bin/python3 '" + path + "' " + args + " > '" + log + "' 2>&1";
  int rc = std::system(cmd.c_str());
  out = read_bytes(log);
  return rc;
}

// Loads `path`, expecting ember::Error whose message names the file and contains `needle`.
void expect_load_error(const std::string& path, const std::string& needle, bool mmap = false) {
  try {
    load_value(path, mmap);
    ADD_FAILURE() << path << ": no error; expected one containing \"" << needle << "\"";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << "expected \"" << needle << "\" in: " << msg;
  }
}

Value dict_get(const Value& d, const std::string& key) {
  const Value* v = d.to_dict().find(Value::string(key));
  EXPECT_TRUE(v) << key;
  return v ? *v : Value();
}

}  // namespace

// ---- round trips ------------------------------------------------------------------------

TEST(PtFormat, RoundTripEveryDtypeViewAndSharedStorage) {
  TempDir dir;
  std::string path = dir.str("recipe.pt");
  save(recipe(), path);
  expect_recipe(load_value(path), path);
  expect_recipe(load_value(path, /*mmap=*/true), path);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"recipe.pt"});  // no temporary left behind
}

TEST(PtFormat, CheckpointDictRoundTrip) {
  TempDir dir;
  IValue ckpt = IValue::dict();
  Dict& d = ckpt.toDict();
  d.insert_or_assign("epoch", 12);
  d.insert_or_assign("best_acc", 0.9375);
  d.insert_or_assign("lrs", std::vector<double>{0.1, 1e-300, -2.5});
  d.insert_or_assign("name", "résumé");
  d.insert_or_assign("flags", IValue::list({true, false, IValue()}));
  d.insert_or_assign("ints", std::vector<int64_t>{0, 255, 256, 65535, 65536, -1, -129, INT32_MAX, INT32_MIN,
                                                  int64_t{1} << 40, -(int64_t{1} << 40), INT64_MAX, INT64_MIN});
  d.insert_or_assign("pair", IValue::tuple({1, "x"}));
  d.insert_or_assign("empty_tuple", IValue::tuple({}));
  d.insert_or_assign("long_tuple", IValue::tuple({1, 2, 3, 4, 5}));
  IValue state = IValue::dict();
  state.toDict().insert_or_assign(0, IValue::dict());
  state.toDict().at(0).toDict().insert_or_assign("step", tensor(3.0f));
  d.insert_or_assign("state", state);
  d.insert_or_assign("weights", arange(6, kFloat32).reshape({2, 3}).requires_grad_());
  std::vector<int64_t> many(2500);  // written as APPENDS in batches of 1000
  for (int i = 0; i < 2500; ++i) many[i] = i;
  d.insert_or_assign("many", many);

  std::string path = dir.str("ckpt.pt");
  save(ckpt, path);
  IValue back = load(path);
  EXPECT_EQ(back.repr(), ckpt.repr());
  const Dict& b = back.toDict();
  EXPECT_TRUE(b.at("epoch").isInt());
  EXPECT_TRUE(b.at("best_acc").isDouble());
  EXPECT_EQ(b.at("ints").toIntVector(), d.at("ints").toIntVector());
  EXPECT_EQ(b.at("lrs").toDoubleVector(), d.at("lrs").toDoubleVector());
  EXPECT_TRUE(b.at("pair").isTuple());
  EXPECT_TRUE(b.at("weights").toTensor().requires_grad());
  EXPECT_TRUE(b.at("weights").toTensor().is_leaf());
  EXPECT_TRUE(b.at("state").toDict().at(0).toDict().at("step").toTensor().dim() == 0);
  EXPECT_EQ(b.at("many").toList().size(), 2500u);
}

TEST(PtFormat, StreamsAndBytes) {
  std::stringstream ss;
  save(IValue(arange(4, kInt64)), ss);
  IValue back = load(ss);
  EXPECT_TRUE(equal(back.toTensor(), arange(4, kInt64)));
  std::vector<char> bytes = pickle_save(IValue::tuple({1, tensor({2.5})}));
  IValue t = pickle_load(bytes);
  EXPECT_EQ(t.toList()[1].toTensor().item<double>(), 2.5);
  // Saving the same checkpoint twice gives the same bytes (a fixed timestamp).
  EXPECT_EQ(pickle_save(IValue(arange(3))), pickle_save(IValue(arange(3))));
}

TEST(PtFormat, ArchiveLayoutIsPyTorchs) {
  TempDir dir;
  std::string path = dir.str("my.model.pt");
  nn::StateDict sd;
  sd.insert("a", arange(5, kFloat32));
  sd.insert("b", arange(3, kInt8));
  sd.insert("a_view", sd["a"].narrow(0, 1, 2));
  save(sd, path);
  io::ZipReader zip(io::open_file_source(path, ""), "");
  EXPECT_EQ(zip.archive_name(), "my.model");
  std::vector<std::string> names;
  for (const auto& r : zip.records()) {
    names.push_back(r.name);
    EXPECT_EQ(r.data_offset % 64, 0u) << r.name;  // aligned, so a mapped file can back tensors
  }
  EXPECT_EQ(names, (std::vector<std::string>{"data.pkl", "byteorder", "data/0", "data/1", "version"}));
  EXPECT_EQ(zip.read(*zip.find("version"), 10), "3\n");
  EXPECT_EQ(zip.read(*zip.find("byteorder"), 10), "little");
  EXPECT_EQ(zip.find("data/0")->size, 20u);
  EXPECT_EQ(zip.find("data/1")->size, 3u);
  // Streams use torch's name for an archive without a file name.
  std::string bytes = save_value_to_bytes(Value::integer(1));
  io::ZipReader zs(io::memory_source(bytes), "");
  EXPECT_EQ(zs.archive_name(), "archive");
}

// Records past 4 GiB take zip64 fields (sizes in the local and central headers, offsets in
// the central one). The 4.5 GB record is mapped from /dev/zero, never read (no CRC) and
// left out of the kept archive, so the test needs neither memory nor time for it.
TEST(PtFormat, Zip64RecordsRoundTrip) {
  const size_t big = (size_t{9} << 29) + 3;  // 4.5 GiB + 3
  int zero_fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
  void* zeros_map = ::mmap(nullptr, big, PROT_READ, MAP_PRIVATE, zero_fd, 0);
  ::close(zero_fd);
  ASSERT_NE(zeros_map, MAP_FAILED);
  // Keeps every write but the big one, which is known to be zeros.
  struct SparseArchive : io::ByteSink, io::ByteSource {
    std::map<uint64_t, std::string> chunks;  // offset -> bytes
    uint64_t end = 0;
    void write(const void* data, size_t n) override {
      if (n < (size_t{1} << 20)) chunks[end] = std::string(static_cast<const char*>(data), n);
      end += n;
    }
    uint64_t size() const override { return end; }
    void read(uint64_t offset, void* dst, size_t n) const override {
      auto* out = static_cast<char*>(dst);
      std::memset(out, 0, n);
      for (const auto& [at, bytes] : chunks) {
        uint64_t lo = std::max(at, offset), hi = std::min(at + bytes.size(), offset + n);
        if (lo < hi) std::memcpy(out + (lo - offset), bytes.data() + (lo - at), hi - lo);
      }
    }
  };
  auto archive = std::make_shared<SparseArchive>();
  io::ZipWriter writer(*archive, "big");
  writer.add("data.pkl", "abc", 3);
  writer.set_compute_crc32(false);
  writer.add("data/0", zeros_map, big);
  writer.set_compute_crc32(true);
  writer.add("version", "3\n", 2);  // its local header starts past 4 GiB
  writer.finish();
  ::munmap(zeros_map, big);
  io::ZipReader reader(archive, "");
  ASSERT_EQ(reader.records().size(), 3u);
  const io::ZipRecord* rec = reader.find("data/0");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size, big);
  EXPECT_EQ(rec->data_offset % 64, 0u);
  EXPECT_EQ(rec->crc32, 0u);
  const io::ZipRecord* version = reader.find("version");
  ASSERT_TRUE(version);
  EXPECT_GT(version->header_offset, uint64_t{0xFFFFFFFF});
  EXPECT_EQ(reader.read(*version, 10), "3\n");
  EXPECT_EQ(reader.read(*reader.find("data.pkl"), 10), "abc");
}

TEST(PtFormat, WriterRefusals) {
  TempDir dir;
  auto expect_save_error = [&](const IValue& v, const std::string& needle) {
    std::string path = dir.str("refused.pt");
    try {
      save(v, path);
      ADD_FAILURE() << "no error; expected \"" << needle << "\"";
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(dir.files().empty());  // the temporary file is gone too
  };
  expect_save_error(IValue(Tensor()), "undefined tensor");
  expect_save_error(IValue(std::string("\xff\xfe")), "not valid UTF-8");
  Tensor f = arange(4, kFloat32);
  expect_save_error(IValue::list({f, f.view(kInt32)}), "view the same storage as float32 and as int32");
  IValue deep = IValue::list();
  IValue cur = deep;
  for (int i = 0; i < 1100; ++i) {
    IValue next = IValue::list();
    cur.toList().push_back(next);
    cur = next;
  }
  expect_save_error(deep, "nests deeper than 1000 levels");
  IValue cyclic = IValue::list();
  cyclic.toList().push_back(cyclic);
  expect_save_error(cyclic, "reference cycle");
  cyclic.toList().clear();
  EXPECT_THROW(save(IValue(1), dir.str("no/such/dir/x.pt")), Error);
  EXPECT_THROW(save(IValue(1), dir.path.string()), Error);  // a directory
}

// ---- atomic saves ----------------------------------------------------------------------

// In a death test's child: saves 8 MB under a 1 MB file-size limit. By default the kernel
// kills the process with SIGXFSZ mid-write (a crash); with the signal ignored the write
// fails with EFBIG (a full disk), and the exit code says whether save threw the right error.
[[noreturn]] void save_with_file_size_limit(const std::string& path, bool ignore_sigxfsz) {
  if (ignore_sigxfsz) ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit r {};
  r.rlim_cur = r.rlim_max = 1 << 20;
  ::setrlimit(RLIMIT_FSIZE, &r);
  try {
    save(IValue(zeros({2 << 20}, kFloat32)), path);
  } catch (const Error& e) {
    std::string msg = e.what();
    std::_Exit(msg.find("write failed") != std::string::npos && msg.find(path) != std::string::npos ? 42 : 1);
  }
  std::_Exit(2);
}

TEST(PtFormat, NewFilesGetTheUmaskMode) {
  TempDir dir;
  std::string path = dir.str("mode.pt");
  save(IValue(1), path);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
  ::chmod(path.c_str(), 0600);
  save(IValue(2), path);  // replacing a file keeps its mode
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(PtFormatDeathTest, SaveKilledMidWriteLeavesTheOldFile) {
  // "fast": the child is a fork of this process, so it saves over this test's file (the
  // threadsafe style re-runs the test from the start in a new process, with a new TempDir).
  GTEST_FLAG_SET(death_test_style, "fast");
  TempDir dir;
  std::string path = dir.str("ckpt.pt");
  save(IValue(arange(10, kFloat32)), path);
  std::string old_bytes = read_bytes(path);
  // The child saves 8 MB with a 1 MB file-size limit: the kernel kills it with SIGXFSZ in
  // the middle of the write, as a crash or a kill would.
  EXPECT_EXIT(save_with_file_size_limit(path, /*ignore_sigxfsz=*/false), ::testing::KilledBySignal(SIGXFSZ), "");
  EXPECT_EQ(read_bytes(path), old_bytes);
  EXPECT_TRUE(equal(load(path).toTensor(), arange(10, kFloat32)));
  // The killed process left its temporary file, under the distinctive name.
  auto files = dir.files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].rfind("ckpt.pt.tmp-", 0), 0u) << files[1];
}

TEST(PtFormatDeathTest, SaveOnAFullDiskFailsCleanly) {
  GTEST_FLAG_SET(death_test_style, "fast");
  TempDir dir;
  std::string path = dir.str("ckpt.pt");
  save(IValue(arange(10, kFloat32)), path);
  // With SIGXFSZ ignored, writing past the limit fails with EFBIG, as a full disk fails
  // with ENOSPC: save throws, removes its temporary file and leaves the old one.
  EXPECT_EXIT(save_with_file_size_limit(path, /*ignore_sigxfsz=*/true), ::testing::ExitedWithCode(42), "");
  EXPECT_TRUE(equal(load(path).toTensor(), arange(10, kFloat32)));
  EXPECT_EQ(dir.files(), std::vector<std::string>{"ckpt.pt"});
}

// ---- memory-mapped loading -------------------------------------------------------------

TEST(PtFormat, MmapLoadSharesTheMapping) {
  TempDir dir;
  std::string path = dir.str("big.pt");
  nn::StateDict sd;
  sd.insert("w", arange(100000, kFloat32).reshape({1000, 100}));
  sd.insert("b", arange(7, kInt16));
  sd.insert("flags", arange(9, kInt64).remainder(2).eq(0));
  sd.insert("w_t", sd["w"].t());
  save(sd, path);
  const std::string original = read_bytes(path);

  nn::StateDict m = to_state_dict(load_value(path, /*mmap=*/true));
  for (const auto& item : sd) expect_identical(m[item.key()], item.value(), item.key());
  for (const char* k : {"w", "b", "flags"}) {
    EXPECT_FALSE(m[k].storage()->owns_memory()) << k;  // backed by the mapping, not a copy
    EXPECT_EQ(reinterpret_cast<uintptr_t>(m[k].storage()->data()) % 64, 0u) << k;
  }
  EXPECT_EQ(m["w_t"].storage().get(), m["w"].storage().get());
  // Copy-on-write: writing a loaded tensor never changes the file.
  m["w"].mul_(2);
  EXPECT_EQ(m["w"][999][99].item<float>(), 2 * 99999.0f);
  EXPECT_EQ(read_bytes(path), original);
  // The mapping outlives the file's name and everything but the tensors.
  fs::remove(path);
  Tensor b = m["b"];
  m = nn::StateDict();
  EXPECT_TRUE(equal(b, arange(7, kInt16)));
}

// ---- modules and optimizers -------------------------------------------------------------

TEST(PtFormat, ModuleStateDictWithMetadata) {
  TempDir dir;
  std::string path = dir.str("model.pt");
  auto model = make_model();
  Tensor x = linspace(-1, 1, 15).reshape({5, 3});
  model->train();
  (void)model->forward(x);  // running statistics move
  model->eval();
  Tensor y = model->forward(x);
  save(*model, path);

  Value v = load_value(path);
  ASSERT_TRUE(v.to_dict().ordered);
  const Value* meta = v.to_dict().attribute("_metadata");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->repr(),
            "OrderedDict({'': {'version': 1}, '0': {'version': 1}, '1': {'version': 2}, '2': {'version': 1}, "
            "'3': {'version': 1}})");
  EXPECT_EQ(to_state_dict(v).keys(), model->state_dict().keys());

  manual_seed(1);
  auto other = nn::Sequential(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  other->eval();
  EXPECT_FALSE(equal(other->forward(x), y));
  auto result = load(*other, path);
  EXPECT_TRUE(result.missing_keys.empty() && result.unexpected_keys.empty());
  EXPECT_TRUE(equal(other->forward(x), y));
  // Loading into the wrong architecture names the file and the keys.
  auto wrong = nn::Sequential(nn::Linear(3, 4));
  try {
    load(*wrong, path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Unexpected key(s)"), std::string::npos) << e.what();
  }
}

TEST(PtFormat, OptimizerStateRoundTripContinuesTheTrajectory) {
  TempDir dir;
  Tensor x = linspace(-1, 1, 15).reshape({5, 3});
  auto loss_of = [&](nn::Sequential& m) { return m->forward(x).square().sum(); };
  for (int kind = 0; kind < 2; ++kind) {
    SCOPED_TRACE(kind == 0 ? "Adam" : "SGD");
    auto make_opt = [&](nn::Sequential& m) -> std::unique_ptr<optim::Optimizer> {
      if (kind == 0) return std::make_unique<optim::Adam>(m->parameters(), optim::AdamOptions(1e-2));
      return std::make_unique<optim::SGD>(m->parameters(), optim::SGDOptions(0.05).momentum(0.9));
    };
    auto a = make_model();
    auto opt_a = make_opt(a);
    for (int i = 0; i < 3; ++i) {
      opt_a->zero_grad();
      loss_of(a).backward();
      opt_a->step();
    }
    IValue ckpt = IValue::dict();
    ckpt.toDict().insert_or_assign("optimizer", opt_a->state_dict());
    ckpt.toDict().insert_or_assign("epoch", 3);
    std::string path = dir.str("opt.pt");
    save(ckpt, path);
    save(*a, dir.str("model.pt"));

    auto b = make_model();
    load(*b, dir.str("model.pt"));
    auto opt_b = make_opt(b);
    opt_b->load_state_dict(load(path).toDict().at("optimizer"));
    for (int i = 0; i < 3; ++i) {
      for (auto* p : {&a, &b}) {
        auto& opt = p == &a ? opt_a : opt_b;
        opt->zero_grad();
        loss_of(*p).backward();
        opt->step();
      }
    }
    for (size_t i = 0; i < a->parameters().size(); ++i) EXPECT_TRUE(equal(a->parameters()[i], b->parameters()[i]));
  }
}

// ---- interop with PyTorch --------------------------------------------------------------

TEST(PtFormat, TorchLoadsEmbersFiles) {
  TempDir dir;
  std::string out;
  std::string recipe_path = dir.str("ember_recipe.pt");
  save(recipe(), recipe_path);
  EXPECT_EQ(run_script("pt_interop.py", "check-recipe '" + recipe_path + "'", dir, out), 0) << out;

  // torch's checkpoint dict (Parameter, OrderedDict with _metadata, optimizer states with
  // int keys, floats, tuples, unicode), loaded by ember and saved again: torch must find
  // exactly what it saved.
  ASSERT_EQ(run_script("pt_interop.py", "write '" + dir.path.string() + "'", dir, out), 0) << out;
  std::string resaved = dir.str("ember_checkpoint.pt");
  save(load_value(dir.str("torch_checkpoint.pt")), resaved);
  EXPECT_EQ(run_script("pt_interop.py", "check-checkpoint '" + resaved + "'", dir, out), 0) << out;
}

TEST(PtFormat, TorchLoadsEmbersModel) {
  TempDir dir;
  std::string path = dir.str("ember_model.pt");
  auto model = make_model();
  save(*model, path);
  std::string out;
  EXPECT_EQ(run_script("pt_interop.py", "check-model '" + path + "'", dir, out), 0) << out;
}

TEST(PtFormat, EmberLoadsTorchsFiles) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run_script("pt_interop.py", "write '" + dir.path.string() + "'", dir, out), 0) << out;
  for (const char* name : {"torch_recipe.pt", "torch_recipe_p4.pt", "torch_recipe_2x.pt"})
    for (bool mmap : {false, true}) expect_recipe(load_value(dir.str(name), mmap), std::string(name) + (mmap ? " mmap" : ""));

  Tensor t = load(dir.str("torch_tensor.pt")).toTensor();
  EXPECT_TRUE(equal(t, arange(6, kFloat32).reshape({2, 3})));

  Value c = load_value(dir.str("torch_checkpoint.pt"));
  ASSERT_EQ(c.kind(), Value::Kind::Dict);
  EXPECT_FALSE(c.to_dict().ordered);
  EXPECT_EQ(dict_get(c, "epoch").to_int(), 7);
  EXPECT_EQ(dict_get(c, "best_acc").to_float(), 0.8125);
  EXPECT_EQ(dict_get(c, "lr").to_float(), 0.001);
  EXPECT_EQ(dict_get(c, "betas").repr(), "(0.9, 0.999)");
  EXPECT_EQ(dict_get(c, "name").to_str(), "run-\xce\xb1\xc3\xa9");
  EXPECT_EQ(dict_get(c, "flags").repr(), "[True, False, None]");
  EXPECT_EQ(dict_get(c, "big").to_int(), int64_t{1} << 40);
  EXPECT_EQ(dict_get(c, "neg").to_int(), -123456789012);
  EXPECT_EQ(dict_get(c, "small_neg").to_int(), -3);
  Value param = dict_get(c, "param");
  EXPECT_EQ(param.tensor_kind(), pickle::TensorKind::Parameter);
  EXPECT_TRUE(param.to_tensor().requires_grad());
  EXPECT_TRUE(equal(param.to_tensor(), ones({2, 2})));
  EXPECT_EQ(dict_get(c, "nested").repr(), "{'a': [1, 2, {'b': tensor(shape=[2], dtype=float32)}], 't': (1, 'x', 2.5, ())}");
  Value model_sd = dict_get(c, "model");
  EXPECT_TRUE(model_sd.to_dict().ordered);
  ASSERT_TRUE(model_sd.to_dict().attribute("_metadata"));
  EXPECT_EQ(model_sd.to_dict().attribute("_metadata")->repr(),
            "OrderedDict({'': {'version': 1}, '0': {'version': 1}, '1': {'version': 2}, '2': {'version': 1}, "
            "'3': {'version': 1}})");
  // torch's module and optimizer state load into ember's.
  auto model = make_model();
  auto result = model->load_state_dict(to_state_dict(model_sd));
  EXPECT_TRUE(result.missing_keys.empty());
  optim::Adam adam(model->parameters(), optim::AdamOptions(1e-3));
  IValue adam_state = dict_get(c, "adam").to_ivalue();
  adam.load_state_dict(adam_state);
  EXPECT_EQ(adam.state_dict().toDict().at("state").toDict().at(0).toDict().at("step").toTensor().item<float>(), 2.0f);
  optim::SGD sgd(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  sgd.load_state_dict(dict_get(c, "sgd").to_ivalue());
}

// Files in layouts torch 1.13 does not write, built from the spec (tests/pt_files.py).
TEST(PtFormat, OtherLayouts) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run_script("pt_files.py", "layouts '" + dir.path.string() + "'", dir, out), 0) << out;
  Tensor want = tensor({1.0f, 2.0f, 3.0f, 4.0f});
  for (const char* name : {"layout_2x.pt", "big_endian.pt", "v3_untyped.pt", "protocol4.pt", "from_type_v2.pt",
                           "unaligned.pt"}) {
    for (bool mmap : {false, true}) {
      SCOPED_TRACE(std::string(name) + (mmap ? " mmap" : ""));
      Value v = load_value(dir.str(name), mmap);
      ASSERT_EQ(v.kind(), Value::Kind::Dict);
      EXPECT_TRUE(equal(dict_get(v, "w").to_tensor(), want));
    }
  }
  Value p = dict_get(load_value(dir.str("from_type_v2.pt")), "p");
  EXPECT_EQ(p.tensor_kind(), pickle::TensorKind::Parameter);
  EXPECT_TRUE(p.to_tensor().requires_grad());
}

// ---- hostile files ---------------------------------------------------------------------

TEST(PtFormat, HostileFilesFailWithAClearError) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run_script("pt_files.py", "hostile '" + dir.path.string() + "'", dir, out), 0) << out;
  std::ifstream manifest(dir.str("manifest.tsv"));
  std::string line;
  int files = 0;
  while (std::getline(manifest, line)) {
    std::vector<std::string> fields;
    for (size_t start = 0, tab; start <= line.size(); start = tab + 1) {
      tab = line.find('\t', start);
      if (tab == std::string::npos) tab = line.size();
      fields.push_back(line.substr(start, tab - start));
    }
    ASSERT_GE(fields.size(), 2u) << line;
    std::string path = dir.str(fields[0]), expect = fields[1];
    // "mmap-ok": a mapped load does not read the storages, so it cannot see their CRC.
    bool mmap_ok = fields.size() > 2 && fields[2] == "mmap-ok";
    SCOPED_TRACE(path);
    for (bool mmap : {false, true}) {
      if (expect == "OK" || (mmap && mmap_ok)) {
        Value v = load_value(path, mmap);
        (void)v.to_ivalue();  // shared sub-objects convert once, not 2^40 times
      } else {
        expect_load_error(path, expect, mmap);
      }
    }
    ++files;
  }
  EXPECT_GE(files, 50);
}

// Random corruptions of a valid file (bytes flipped, the file cut short) either load or
// fail with ember::Error, never anything else (the libFuzzer targets do this at length).
TEST(PtFormat, CorruptedFilesNeverCrash) {
  std::string valid = save_value_to_bytes(state_dict_value(recipe()));
  std::mt19937 rng(1234);
  int errors = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = valid;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (trial % 5 == 0) bytes.resize(rng() % bytes.size());
    try {
      Value v = load_value_from_bytes(bytes, "corrupt.pt");
      (void)v.repr();
    } catch (const Error& e) {
      ++errors;
      EXPECT_NE(std::string(e.what()).find("corrupt.pt"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(errors, 100);
}

// zip_crc32 (ISA-L's folded CRC) against the bit-at-a-time definition of ZIP's CRC-32:
// every length around the folding block sizes, misaligned starts, and the standard check
// value of "123456789".
TEST(PtFormat, Crc32IsZipsCrc) {
  auto reference = [](const unsigned char* p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
      crc ^= p[i];
      for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
  };
  EXPECT_EQ(ember::io::zip_crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(ember::io::zip_crc32(nullptr, 0), 0u);
  std::mt19937 gen(7);
  std::vector<unsigned char> bytes((1 << 20) + 77);
  for (auto& b : bytes) b = static_cast<unsigned char>(gen());
  for (size_t n : {1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1023, 4096, 65537})
    for (size_t offset : {0, 1, 3, 8})
      EXPECT_EQ(ember::io::zip_crc32(bytes.data() + offset, n), reference(bytes.data() + offset, n))
          << n << " bytes at offset " << offset;
  EXPECT_EQ(ember::io::zip_crc32(bytes.data() + 5, bytes.size() - 5), reference(bytes.data() + 5, bytes.size() - 5));
}
