// ember::utils::tensorboard: framing and message bytes against the spec's test vectors
// (../shared/reference/formats-rng.md 3.2, 3.6), and every kind of summary read back
// through the generated protobuf classes. tests/python/test_tensorboard.py checks the same
// files with Python's protobuf, PIL and NumPy.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <ember/ember.h>
#include <ember/utils/tensorboard/crc32c.h>
#include <ember/utils/tensorboard/record_writer.h>
#include <ember/utils/tensorboard/summary.h>
#include <ember/utils/tensorboard/summary_writer.h>

#include "event_files.h"

namespace fs = std::filesystem;
namespace tb = ember::utils::tensorboard;
using ember::Tensor;
using tb_test::event_files;
using tb_test::read_events;
using tb_test::TempDir;

namespace {

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {d[c >> 4], d[c & 15]};
  return out;
}

}  // namespace

TEST(TensorBoard, Crc32cCheckValue) {
  EXPECT_EQ(tb::crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(tb::crc32c("", 0), 0u);
  // Both code paths (8-byte blocks and the byte tail) over an odd length.
  std::string long_text(1001, 'x');
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : long_text) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  EXPECT_EQ(tb::crc32c(long_text.data(), long_text.size()), c ^ 0xFFFFFFFFu);
}

TEST(TensorBoard, FileVersionRecordBytes) {
  tb::Event e;
  e.set_wall_time(1700000000.0);
  e.set_file_version("brain.Event:2");
  std::string record;
  tb::append_record(record, e.SerializeAsString());
  EXPECT_EQ(hex(record), "1800000000000000a37f4b220900000040fc54d9411a0d627261696e2e4576656e743a32eced8f9d");
}

TEST(TensorBoard, ScalarRecordBytes) {
  tb::Event e;
  e.set_wall_time(1700000001.0);
  e.set_step(5);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag("loss");
  v->set_simple_value(0.5f);
  std::string record;
  tb::append_record(record, e.SerializeAsString());
  EXPECT_EQ(hex(record), "1a00000000000000129bd82d0900004040fc54d941" "10052a0d0a0b0a046c6f7373150000003f8e52a9da");
}

TEST(TensorBoard, TextSummaryBytes) {
  tb::Summary s;
  *s.add_value() = tb::text_value("note", "hello");
  EXPECT_EQ(hex(s.SerializeAsString()), "0a2e0a116e6f74652f746578745f73756d6d617279420f08071204120208014205" +
                                            hex("hello") + "4a080a060a0474657874");
}

TEST(TensorBoard, DefaultBins) {
  const auto& b = tb::default_bins();
  ASSERT_EQ(b.size(), 1549u);
  EXPECT_EQ(b[774], 0.0);
  EXPECT_EQ(b[775], 1e-12);
  EXPECT_EQ(b.front(), -b.back());
  EXPECT_NEAR(b.back(), 9.92e19, 0.01e19);
}

TEST(TensorBoard, WriterRoundTrip) {
  TempDir dir;
  {
    tb::SummaryWriter w(dir.path.string(), "", std::nullopt, 10, 120, ".test");
    for (int i = 0; i < 25; ++i) w.add_scalar("loss", 1.0 / (i + 1), i);
    w.add_scalar("nan", std::nan(""), 1);
    w.add_scalar("inf", -INFINITY, 2);
    w.add_histogram("w", ember::arange(10).to(ember::kFloat32), 3);
    w.add_image("img", ember::ones({3, 4, 5}), 4);
    w.add_text("note", "**bold**", 5);
  }
  auto files = event_files(dir.path);
  ASSERT_EQ(files.size(), 1u);
  const std::string name = files[0].filename().string();
  EXPECT_EQ(name.rfind("events.out.tfevents.", 0), 0u);
  EXPECT_EQ(name.substr(name.size() - 5), ".test");
  EXPECT_NE(name.find("." + std::to_string(getpid()) + "."), std::string::npos);
  auto events = read_events(files[0]);
  ASSERT_EQ(events.size(), 1u + 25 + 2 + 3);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  for (int i = 0; i < 25; ++i) {
    const auto& e = events[1 + i];
    EXPECT_EQ(e.step(), i);
    EXPECT_EQ(e.summary().value(0).tag(), "loss");
    EXPECT_EQ(e.summary().value(0).simple_value(), static_cast<float>(1.0 / (i + 1)));
    EXPECT_GT(e.wall_time(), 1.7e9);
  }
  EXPECT_TRUE(std::isnan(events[26].summary().value(0).simple_value()));
  EXPECT_EQ(events[27].summary().value(0).simple_value(), -INFINITY);
  const auto& h = events[28].summary().value(0).histo();
  EXPECT_EQ(h.num(), 10);
  EXPECT_EQ(h.sum(), 45);
  EXPECT_EQ(h.sum_squares(), 285);
  double total = 0;
  for (double c : h.bucket()) total += c;
  EXPECT_EQ(total, 10);
  const auto& img = events[29].summary().value(0).image();
  EXPECT_EQ(img.height(), 4);
  EXPECT_EQ(img.width(), 5);
  EXPECT_EQ(img.colorspace(), 3);
  Tensor decoded = ember::data::decode_image(reinterpret_cast<const unsigned char*>(img.encoded_image_string().data()),
                                             img.encoded_image_string().size());
  EXPECT_TRUE(decoded.eq(255).all().item<bool>());
  EXPECT_EQ(events[30].summary().value(0).tensor().string_val(0), "**bold**");
}

TEST(TensorBoard, FlushMakesRecordsVisible) {
  TempDir dir;
  tb::SummaryWriter w(dir.path.string(), "", std::nullopt, /*max_queue=*/1000, /*flush_secs=*/1000);
  w.add_scalar("a", 1.0, 0);
  auto files = event_files(dir.path);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(read_events(files[0]).size(), 1u);  // only the file version so far
  w.flush();
  EXPECT_EQ(read_events(files[0]).size(), 2u);
}

TEST(TensorBoard, PurgeStep) {
  TempDir dir;
  { tb::SummaryWriter w(dir.path.string(), "", /*purge_step=*/7); }
  auto events = read_events(event_files(dir.path)[0]);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].step(), 7);
  EXPECT_EQ(events[1].file_version(), "brain.Event:2");
  EXPECT_EQ(events[2].session_log().status(), tb::SessionLog::START);
}

TEST(TensorBoard, AddScalarsMakesOneRunPerTag) {
  TempDir dir;
  {
    tb::SummaryWriter w(dir.path.string());
    w.add_scalars("run/loss", {{"train", 1.0}, {"test", 2.0}}, 3);
  }
  auto train = read_events(event_files(dir.path / "run_loss_train")[0]);
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train[1].summary().value(0).tag(), "run/loss");
  EXPECT_EQ(train[1].summary().value(0).simple_value(), 1.0f);
  EXPECT_EQ(read_events(event_files(dir.path / "run_loss_test")[0])[1].summary().value(0).simple_value(), 2.0f);
}

TEST(TensorBoard, UnwritableLogDirIsAnErrorAtConstruction) {
  TempDir dir;
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "file") << "x";
  try {
    tb::SummaryWriter w((dir.path / "file" / "run").string());
    FAIL() << "expected an error";
  } catch (const ember::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create the log directory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Not a directory"), std::string::npos) << e.what();
  }
}

TEST(TensorBoard, DefaultLogDir) {
  TempDir dir;
  fs::create_directories(dir.path);
  auto cwd = fs::current_path();
  fs::current_path(dir.path);
  std::string logdir;
  {
    tb::SummaryWriter w("", "_lr0.1");
    logdir = w.get_logdir();
  }
  fs::current_path(cwd);
  // runs/Dec04_17-40-00_<host>_lr0.1
  EXPECT_EQ(logdir.rfind("runs/", 0), 0u) << logdir;
  EXPECT_EQ(logdir[10], '_') << logdir;
  EXPECT_EQ(logdir.substr(logdir.size() - 6), "_lr0.1");
  EXPECT_NE(logdir.find("_" + tb::hostname()), std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir.path / logdir));
}

TEST(TensorBoard, HistogramTrimsToSupport) {
  // Values 1 and 2 land in the buckets ending at the first edges above them; the first
  // bucket is an empty one ending where the support starts.
  auto h = tb::make_histogram(ember::tensor({1.0, 2.0, 2.0}), std::string("tensorflow"), std::nullopt);
  ASSERT_GE(h.bucket_size(), 2);
  EXPECT_EQ(h.bucket(0), 0);
  EXPECT_EQ(h.bucket_limit_size(), h.bucket_size());
  EXPECT_LE(h.bucket_limit(0), 1.0);
  EXPECT_GT(h.bucket_limit(1), 1.0);
  EXPECT_EQ(h.bucket(1), 1);
  EXPECT_EQ(h.bucket(h.bucket_size() - 1), 2);
  auto counted = tb::make_histogram(ember::tensor({0.0, 1.0, 2.0, 3.0}), int64_t{3}, std::nullopt);
  ASSERT_EQ(counted.bucket_size(), 4);  // [0] + 3 bins
  EXPECT_EQ(counted.bucket(1), 1);
  EXPECT_EQ(counted.bucket(3), 2);  // the last bin holds its right edge
  EXPECT_THROW(tb::make_histogram(ember::empty({0}), std::string("tensorflow"), std::nullopt), ember::ValueError);
}

TEST(TensorBoard, ImageGridAndScaling) {
  // Four 1-channel 2x2 images in NCHW: a 1x4 grid, gray replicated to RGB.
  Tensor imgs = ember::arange(16).reshape({4, 1, 2, 2}).to(ember::kFloat32).div(15.0);
  Tensor hwc = tb::image_to_hwc_uint8(imgs, "NCHW");
  EXPECT_EQ(hwc.sizes(), (std::vector<int64_t>{2, 8, 3}));
  EXPECT_EQ(hwc[0][2][1].item<int64_t>(), static_cast<int64_t>(4.0f / 15.0f * 255.0f));  // truncation
  Tensor hw = tb::image_to_hwc_uint8(ember::full({3, 2}, 2.0), "HW");  // clipped to 255
  EXPECT_TRUE(hw.eq(255).all().item<bool>());
  EXPECT_THROW(tb::image_to_hwc_uint8(ember::ones({3, 4, 5}), "HWC"), ember::ValueError);  // 5 channels
  EXPECT_THROW(tb::image_to_hwc_uint8(ember::ones({3, 4}), "CHW"), ember::ValueError);
}

TEST(TensorBoard, PrCurve) {
  Tensor labels = ember::tensor({1.0, 0.0, 1.0, 0.0});
  Tensor predictions = ember::tensor({0.9, 0.8, 0.3, 0.1}).to(ember::kFloat32);
  auto v = tb::pr_curve_value("pr", labels, predictions, 5, {});
  ASSERT_EQ(v.tensor().float_val_size(), 30);
  // thresholds 0, 1/4, 2/4, 3/4, 1: tp = 2, 2, 1, 1, 0; fp = 2, 1, 1, 1, 0.
  std::vector<float> tp(v.tensor().float_val().begin(), v.tensor().float_val().begin() + 5);
  EXPECT_EQ(tp, (std::vector<float>{2, 2, 1, 1, 0}));
  EXPECT_EQ(v.tensor().float_val(5 + 1), 1);
  EXPECT_EQ(v.metadata().plugin_data().plugin_name(), "pr_curves");
}

namespace {
struct TinyImpl : ember::nn::Module {
  TinyImpl() {
    fc1 = register_module("fc1", ember::nn::Linear(4, 3));
    fc2 = register_module("fc2", ember::nn::Linear(3, 2));
  }
  Tensor forward(Tensor x) { return fc2(ember::relu(fc1(x))); }
  ember::nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(Tiny);
}  // namespace

TEST(TensorBoard, AddGraph) {
  TempDir dir;
  Tiny model;
  {
    tb::SummaryWriter w(dir.path.string());
    w.add_graph(model, ember::ones({2, 4}));
  }
  auto events = read_events(event_files(dir.path)[0]);
  ASSERT_EQ(events.size(), 3u);
  tb::GraphDef g;
  ASSERT_TRUE(g.ParseFromString(events[1].graph_def()));
  std::map<std::string, tb::NodeDef> nodes;
  for (const auto& n : g.node()) nodes[n.name()] = n;
  ASSERT_TRUE(nodes.count("input/input.0"));
  ASSERT_TRUE(nodes.count("Tiny/fc1/weight"));
  EXPECT_EQ(nodes["Tiny/fc1/weight"].op(), "Parameter");
  ASSERT_TRUE(nodes.count("output/output.0"));
  const std::string last = nodes["output/output.0"].input(0);
  EXPECT_EQ(last.rfind("Tiny/fc2/", 0), 0u) << last;
  // Every input names an existing node.
  for (const auto& n : g.node())
    for (const auto& in : n.input()) EXPECT_TRUE(nodes.count(in)) << n.name() << " <- " << in;
  EXPECT_EQ(events[2].tagged_run_metadata().tag(), "step1");
}

TEST(TensorBoard, HParamsAndEmbedding) {
  TempDir dir;
  {
    tb::SummaryWriter w(dir.path.string());
    w.add_hparams({{"lr", 0.1}, {"opt", std::string("adam")}}, {{"accuracy", 0.9}}, {}, "hp");
    w.add_embedding(ember::tensor({1.5, 2.0, 3.0, 4.0}).reshape({2, 2}), {"a", "b"}, {}, 3, "emb/x");
  }
  auto events = read_events(event_files(dir.path / "hp")[0]);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].summary().value(0).tag(), "_hparams_/experiment");
  tb::HParamsPluginData start;
  ASSERT_TRUE(start.ParseFromString(events[2].summary().value(0).metadata().plugin_data().content()));
  EXPECT_EQ(start.session_start_info().hparams().at("lr").number_value(), 0.1);
  EXPECT_EQ(start.session_start_info().hparams().at("opt").string_value(), "adam");
  EXPECT_EQ(events[4].summary().value(0).tag(), "accuracy");
  std::ifstream tsv(dir.path / "00003" / "emb%2fx" / "tensors.tsv");
  std::string text((std::istreambuf_iterator<char>(tsv)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "1.5\t2.0\n3.0\t4.0\n");
  std::ifstream cfg(dir.path / "projector_config.pbtxt");
  std::string config((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  EXPECT_NE(config.find("tensor_name: \"emb/x:00003\""), std::string::npos) << config;
  EXPECT_NE(config.find("metadata_path: \"00003/emb%2fx/metadata.tsv\""), std::string::npos) << config;
}

TEST(TensorBoard, BadArgumentsAreErrorsNotUndefinedBehaviour) {
  Tensor v = ember::tensor({1.0, 2.0});
  EXPECT_THROW(tb::make_histogram(v, std::string("tensorflow"), int64_t{0}), ember::ValueError);
  EXPECT_THROW(tb::make_histogram(v, int64_t{0}, std::nullopt), ember::ValueError);
  EXPECT_THROW(tb::make_histogram(ember::tensor({1.0, NAN}), int64_t{3}, std::nullopt), ember::ValueError);
  // NaN and huge predictions fall outside the curve's range, as in numpy.
  auto pr = tb::pr_curve_value("pr", ember::tensor({1.0, 1.0, 0.0}), ember::tensor({NAN, 1e30, 0.5}), 3, {});
  EXPECT_EQ(pr.tensor().float_val(0), 0);  // tp at threshold 0: neither positive counted
  EXPECT_EQ(pr.tensor().float_val(3), 1);  // fp at threshold 0: the 0.5 negative
}
