// The records PyTorch 1.13's summary.py builds for audio, video, raw PR curves, custom scalars,
// meshes and ONNX graphs, built by ember's C++ (summary.h) and written by SummaryWriter.
// tests/python/test_tensorboard_media.py decodes the same records with Python's wave module
// and Pillow and compares them with re-implementations of PyTorch's functions.
#include <gtest/gtest.h>

#include <cstring>

#include <ember/ember.h>
#include <ember/utils/tensorboard/gif.h>
#include <ember/utils/tensorboard/summary.h>
#include <ember/utils/tensorboard/summary_writer.h>

#include "event_files.h"

namespace tb = ember::utils::tensorboard;
using ember::Tensor;

namespace {

uint32_t le(const std::string& s, size_t pos, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[pos + i]);
  return v;
}

// The blocks of a GIF, walked as a decoder does: returns the number of frames and checks
// that the stream ends with the trailer exactly at its last byte.
struct GifLayout {
  uint32_t width = 0, height = 0;
  int frames = 0, loops = -1;
  std::vector<int> delays, table_sizes;
};

GifLayout walk_gif(const std::string& g) {
  GifLayout out;
  EXPECT_EQ(g.substr(0, 6), "GIF89a");
  out.width = le(g, 6, 2);
  out.height = le(g, 8, 2);
  size_t pos = 13;
  auto skip_sub_blocks = [&] {
    while (pos < g.size() && g[pos] != 0) pos += 1 + static_cast<uint8_t>(g[pos]);
    ++pos;
  };
  while (pos < g.size()) {
    const uint8_t b = static_cast<uint8_t>(g[pos]);
    if (b == 0x3B) {
      EXPECT_EQ(pos + 1, g.size());
      return out;
    }
    if (b == 0x21) {
      const uint8_t label = static_cast<uint8_t>(g[pos + 1]);
      if (label == 0xF9) out.delays.push_back(static_cast<int>(le(g, pos + 4, 2)));
      if (label == 0xFF && g.compare(pos + 3, 11, "NETSCAPE2.0") == 0) out.loops = static_cast<int>(le(g, pos + 16, 2));
      pos += 2;
      skip_sub_blocks();
    } else if (b == 0x2C) {
      EXPECT_EQ(le(g, pos + 5, 2), out.width);
      EXPECT_EQ(le(g, pos + 7, 2), out.height);
      const uint8_t packed = static_cast<uint8_t>(g[pos + 9]);
      EXPECT_TRUE(packed & 0x80);  // local colour table
      const int entries = 1 << ((packed & 7) + 1);
      out.table_sizes.push_back(entries);
      pos += 10 + 3 * entries;
      const int min_code = g[pos];
      EXPECT_GE(min_code, 2);
      EXPECT_LE(min_code, 8);
      ++pos;
      skip_sub_blocks();
      ++out.frames;
    } else {
      ADD_FAILURE() << "unexpected GIF block 0x" << std::hex << int{b} << " at " << std::dec << pos;
      return out;
    }
  }
  ADD_FAILURE() << "no GIF trailer";
  return out;
}

}  // namespace

TEST(TensorBoardMedia, AudioIsPcmWav) {
  bool clipped = true;
  auto v = tb::audio_value("sound", ember::tensor({0.0, 0.5, -1.0, 1.0}).to(ember::kFloat32).unsqueeze(0), 8000.0,
                           &clipped);
  EXPECT_FALSE(clipped);
  EXPECT_EQ(v.tag(), "sound");
  const auto& a = v.audio();
  EXPECT_EQ(a.sample_rate(), 8000.0f);
  EXPECT_EQ(a.num_channels(), 1);
  EXPECT_EQ(a.length_frames(), 4);
  EXPECT_EQ(a.content_type(), "audio/wav");
  const std::string& w = a.encoded_audio_string();
  ASSERT_EQ(w.size(), 44u + 8u);
  EXPECT_EQ(w.substr(0, 4), "RIFF");
  EXPECT_EQ(le(w, 4, 4), 36u + 8u);
  EXPECT_EQ(w.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le(w, 16, 4), 16u);
  EXPECT_EQ(le(w, 20, 2), 1u);     // PCM
  EXPECT_EQ(le(w, 22, 2), 1u);     // mono
  EXPECT_EQ(le(w, 24, 4), 8000u);  // rate
  EXPECT_EQ(le(w, 28, 4), 16000u);
  EXPECT_EQ(le(w, 32, 2), 2u);
  EXPECT_EQ(le(w, 34, 2), 16u);
  EXPECT_EQ(w.substr(36, 4), "data");
  EXPECT_EQ(le(w, 40, 4), 8u);
  int16_t s[4];
  std::memcpy(s, w.data() + 44, 8);
  EXPECT_EQ(s[0], 0);
  EXPECT_EQ(s[1], 16383);  // 0.5f * 32767 truncated
  EXPECT_EQ(s[2], -32767);
  EXPECT_EQ(s[3], 32767);

  auto loud = tb::audio_value("loud", ember::tensor({2.0, -3.0, 0.25}), 44100.0, &clipped);
  EXPECT_TRUE(clipped);
  std::memcpy(s, loud.audio().encoded_audio_string().data() + 44, 6);
  EXPECT_EQ(s[0], 32767);
  EXPECT_EQ(s[1], -32767);
  EXPECT_EQ(s[2], 8191);  // 0.25 * 32767 in float64, truncated

  EXPECT_THROW(tb::audio_value("a", ember::zeros({2, 3}), 44100.0, nullptr), ember::ValueError);
  EXPECT_THROW(tb::audio_value("a", ember::zeros({1, 0}), 44100.0, nullptr), ember::ValueError);
  EXPECT_THROW(tb::audio_value("a", ember::zeros({5}), 0.0, nullptr), ember::ValueError);
}

TEST(TensorBoardMedia, VideoIsATiledAnimatedGif) {
  // Three 2-frame videos: padded to four and tiled 1 x 4 (PyTorch's _prepare_video).
  Tensor v = ember::rand({3, 2, 3, 5, 7});
  auto value = tb::video_value("clip", v, 4.0);
  EXPECT_EQ(value.image().height(), 5);
  EXPECT_EQ(value.image().width(), 28);
  EXPECT_EQ(value.image().colorspace(), 3);
  GifLayout g = walk_gif(value.image().encoded_image_string());
  EXPECT_EQ(g.width, 28u);
  EXPECT_EQ(g.height, 5u);
  EXPECT_EQ(g.frames, 2);
  EXPECT_EQ(g.loops, 0);
  EXPECT_EQ(g.delays, (std::vector<int>{25, 25}));
  // Five videos: padded to 8, 2 rows x 4 columns.
  auto five = tb::video_value("clip", ember::zeros({5, 1, 1, 3, 2}, ember::TensorOptions(ember::kUInt8)), 10.0);
  EXPECT_EQ(five.image().height(), 6);
  EXPECT_EQ(five.image().width(), 8);
  GifLayout f = walk_gif(five.image().encoded_image_string());
  EXPECT_EQ(f.frames, 1);
  EXPECT_EQ(f.delays, (std::vector<int>{10}));
  EXPECT_EQ(f.table_sizes, (std::vector<int>{2}));  // one colour: the smallest table

  EXPECT_THROW(tb::video_value("v", ember::zeros({2, 3, 4, 4}), 4.0), ember::ValueError);
  EXPECT_THROW(tb::video_value("v", ember::zeros({1, 2, 2, 4, 4}), 4.0), ember::ValueError);
  EXPECT_THROW(tb::video_value("v", ember::zeros({1, 2, 3, 4, 4}), 0.0), ember::ValueError);
  EXPECT_THROW(tb::video_value("v", ember::zeros({1, 0, 3, 4, 4}), 4.0), ember::ValueError);
}

TEST(TensorBoardMedia, GifOfManyColoursAndLargeFrames) {
  // 300 x 300 noise: more than 256 colours (median cut) and several LZW table resets.
  Tensor rgb = ember::randint(0, 256, {300, 300, 3}).to(ember::kUInt8).contiguous();
  std::string g = tb::encode_gif(rgb.data_ptr<uint8_t>(), 1, 300, 300, 7);
  GifLayout layout = walk_gif(g);
  EXPECT_EQ(layout.frames, 1);
  EXPECT_EQ(layout.table_sizes, (std::vector<int>{256}));
  EXPECT_THROW(tb::encode_gif(rgb.data_ptr<uint8_t>(), 1, 0, 300, 7), ember::ValueError);
  EXPECT_THROW(tb::encode_gif(rgb.data_ptr<uint8_t>(), 1, 1, 70000, 7), ember::ValueError);
}

TEST(TensorBoardMedia, PrCurveRaw) {
  std::vector<Tensor> rows;
  for (int i = 0; i < 6; ++i) rows.push_back(ember::arange(3).to(ember::kFloat64).add(10.0 * i));
  auto v = tb::pr_curve_raw_value("pr", rows, 300);
  tb::PrCurvePluginData pd;
  ASSERT_TRUE(pd.ParseFromString(v.metadata().plugin_data().content()));
  EXPECT_EQ(pd.num_thresholds(), 127u);  // capped, as PyTorch
  EXPECT_EQ(v.tensor().tensor_shape().dim(0).size(), 6);
  EXPECT_EQ(v.tensor().tensor_shape().dim(1).size(), 3);
  ASSERT_EQ(v.tensor().float_val_size(), 18);
  EXPECT_EQ(v.tensor().float_val(4), 11.0f);
  EXPECT_EQ(v.tensor().float_val(17), 52.0f);
  rows[5] = ember::zeros({4});
  EXPECT_THROW(tb::pr_curve_raw_value("pr", rows, 127), ember::ValueError);
}

TEST(TensorBoardMedia, CustomScalarsLayout) {
  tb::CustomScalarLayout layout = {{"Taiwan", {{"twse", false, {"twse/0050", "twse/2330"}}}},
                                   {"USA", {{"dow", true, {"dow/aaa", "dow/bbb", "dow/ccc"}}}}};
  auto v = tb::custom_scalars_value(layout);
  EXPECT_EQ(v.tag(), "custom_scalars__config__");
  EXPECT_EQ(v.metadata().plugin_data().plugin_name(), "custom_scalars");
  EXPECT_TRUE(v.metadata().plugin_data().content().empty());
  EXPECT_EQ(v.tensor().dtype(), tb::DT_STRING);
  EXPECT_TRUE(v.tensor().has_tensor_shape());
  EXPECT_EQ(v.tensor().tensor_shape().dim_size(), 0);
  tb::Layout parsed;
  ASSERT_TRUE(parsed.ParseFromString(v.tensor().string_val(0)));
  ASSERT_EQ(parsed.category_size(), 2);
  EXPECT_EQ(parsed.category(0).chart(0).multiline().tag(1), "twse/2330");
  EXPECT_EQ(parsed.category(1).chart(0).margin().series(0).lower(), "dow/bbb");
  layout[1].second[0].tags.pop_back();
  EXPECT_THROW(tb::custom_scalars_value(layout), ember::ValueError);
}

TEST(TensorBoardMedia, Mesh) {
  Tensor vertices = ember::rand({1, 4, 3}), faces = ember::tensor({0, 1, 2, 1, 2, 3}).reshape({1, 2, 3});
  auto s = tb::mesh_summary("m", vertices, {}, faces, "{\"a\": 1}");
  ASSERT_EQ(s.value_size(), 2);
  EXPECT_EQ(s.value(0).tag(), "m_VERTEX");
  EXPECT_EQ(s.value(1).tag(), "m_FACE");
  tb::MeshPluginData d;
  ASSERT_TRUE(d.ParseFromString(s.value(1).metadata().plugin_data().content()));
  EXPECT_EQ(s.value(1).metadata().plugin_data().plugin_name(), "mesh");
  EXPECT_EQ(d.name(), "m");
  EXPECT_EQ(d.content_type(), tb::MeshPluginData::FACE);
  EXPECT_EQ(d.components(), (1 << 1) | (1 << 2));
  EXPECT_EQ(std::vector<int>(d.shape().begin(), d.shape().end()), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(d.json_config(), "{\"a\": 1}");
  EXPECT_EQ(s.value(1).tensor().float_val(5), 3.0f);
  EXPECT_EQ(s.value(0).tensor().float_val(4), vertices.reshape({-1})[4].item<float>());
  try {
    tb::mesh_summary("m", ember::zeros({4, 3}), {}, {}, "{}");
    ADD_FAILURE() << "a 2-D vertex tensor was accepted";
  } catch (const ember::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Tensor shape should be of shape BxNx3, but got torch.Size([4, 3])."),
              std::string::npos)
        << e.what();
  }
}

TEST(TensorBoardMedia, WriterRecordsAndOnnxGraph) {
  tb_test::TempDir dir;
  {
    tb::SummaryWriter w(dir.path.string());
    EXPECT_FALSE(w.add_audio("sound", ember::zeros({100}), 3, 16000));
    w.add_video("clip", ember::rand({1, 2, 3, 4, 4}), 4, 2.0);
    w.add_custom_scalars_marginchart({"v", "lo", "hi"});
    w.add_mesh("m", ember::rand({1, 3, 3}), ember::rand({1, 3, 3}), {}, "{}", 5, 1700000000.0);
    w.add_pr_curve_raw("pr", ember::ones({2}), ember::ones({2}), ember::ones({2}), ember::ones({2}), ember::ones({2}),
                       ember::ones({2}), 6);
    tb::OnnxGraphNode in{"x", "Variable", {}, 1, {2, 3}, std::nullopt};
    tb::OnnxGraphNode op{"y", "Relu", {"x"}, 0, {}, std::string("")};
    w.add_onnx_graph({in, op});
  }
  auto files = tb_test::event_files(dir.path);
  ASSERT_EQ(files.size(), 1u);
  auto events = tb_test::read_events(files[0]);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[1].step(), 3);
  EXPECT_EQ(events[1].summary().value(0).audio().length_frames(), 100);
  EXPECT_EQ(events[2].step(), 4);
  EXPECT_EQ(walk_gif(events[2].summary().value(0).image().encoded_image_string()).delays, (std::vector<int>{50, 50}));
  EXPECT_EQ(events[3].step(), 0);
  EXPECT_EQ(events[3].summary().value(0).tag(), "custom_scalars__config__");
  EXPECT_EQ(events[4].step(), 5);
  EXPECT_EQ(events[4].wall_time(), 1700000000.0);
  EXPECT_EQ(events[4].summary().value_size(), 2);  // vertices, colors
  EXPECT_EQ(events[5].summary().value(0).tensor().float_val_size(), 12);
  tb::GraphDef g;
  ASSERT_TRUE(g.ParseFromString(events[6].graph_def()));
  EXPECT_EQ(events[6].step(), 0);
  ASSERT_EQ(g.node_size(), 2);
  EXPECT_EQ(g.versions().producer(), 22);
  EXPECT_EQ(g.node(0).attr().at("dtype").type(), tb::DT_FLOAT);
  EXPECT_EQ(g.node(0).attr().at("shape").shape().dim(1).size(), 3);
  EXPECT_EQ(g.node(1).input(0), "x");
  EXPECT_TRUE(g.node(1).attr().contains("parameters"));
}
