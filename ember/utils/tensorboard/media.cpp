// summary.audio and summary.video of PyTorch's torch/utils/tensorboard: a WAV file in
// Summary.Audio, an animated GIF in Summary.Image.
#include <cmath>
#include <limits>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/utils/tensorboard/gif.h"
#include "ember/utils/tensorboard/summary.h"

namespace ember::utils::tensorboard {
namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Python's wave module for one channel of 16-bit samples: RIFF, a 16-byte PCM fmt chunk, data.
std::string wav_bytes(const std::vector<int16_t>& samples, uint32_t rate) {
  const uint64_t data = samples.size() * 2;
  std::string out = "RIFF";
  put_le(out, 36 + data, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);
  put_le(out, 1, 2);  // PCM
  put_le(out, 1, 2);  // channels
  put_le(out, rate, 4);
  put_le(out, uint64_t{rate} * 2, 4);  // bytes per second
  put_le(out, 2, 2);                   // bytes per frame
  put_le(out, 16, 2);                  // bits per sample
  out += "data";
  put_le(out, data, 4);
  for (int16_t s : samples) put_le(out, static_cast<uint16_t>(s), 2);
  return out;
}

}  // namespace

Summary::Value audio_value(const std::string& tag, const Tensor& snd, double sample_rate, bool* clipped) {
  Tensor a = snd.detach().cpu();
  std::vector<int64_t> kept;
  for (int64_t d : a.sizes())
    if (d != 1) kept.push_back(d);  // numpy's squeeze()
  EMBER_CHECK_VALUE(a.numel() > 0, "zero-size array to reduction operation maximum which has no identity");
  EMBER_CHECK_VALUE(kept.size() == 1, "input tensor should be 1 dimensional.");
  // wave.setframerate rounds the rate to an integer; a rate that is not positive is its error.
  const double rounded = std::nearbyint(sample_rate);
  EMBER_CHECK_VALUE(std::isfinite(sample_rate) && rounded >= 1 && rounded <= 4294967295.0, "bad frame rate");
  EMBER_CHECK_VALUE(a.numel() * 2 + 36 <= 4294967295LL, "add_audio: a WAV file holds at most 2^31 samples");
  // Scaled by 32767 in the samples' own precision and truncated, as numpy's astype('<i2');
  // values outside [-1, 1] are clipped first (PyTorch prints a warning), NaN becomes 0.
  const bool single = a.dtype() != kFloat64;
  Tensor d = a.to(kFloat64).contiguous();
  const double* p = d.data_ptr<double>();
  std::vector<int16_t> samples(static_cast<size_t>(d.numel()));
  bool out_of_range = false;
  for (size_t i = 0; i < samples.size(); ++i) out_of_range |= std::fabs(p[i]) > 1;
  for (size_t i = 0; i < samples.size(); ++i) {
    double x = p[i];
    if (std::isnan(x)) x = 0;
    if (out_of_range) x = std::min(1.0, std::max(-1.0, x));
    const double scaled = single ? static_cast<double>(static_cast<float>(x) * 32767.0f) : x * 32767.0;
    samples[i] = static_cast<int16_t>(scaled);
  }
  if (clipped) *clipped = out_of_range;
  Summary::Value v;
  v.set_tag(tag);
  auto* audio = v.mutable_audio();
  audio->set_sample_rate(static_cast<float>(sample_rate));
  audio->set_num_channels(1);
  audio->set_length_frames(static_cast<int64_t>(samples.size()));
  audio->set_encoded_audio_string(wav_bytes(samples, static_cast<uint32_t>(rounded)));
  audio->set_content_type("audio/wav");
  return v;
}

Summary::Value video_value(const std::string& tag, const Tensor& video, double fps) {
  EMBER_CHECK_VALUE(video.dim() == 5, "add_video: expected a [N, T, C, H, W] tensor, got shape ", video.sizes());
  const int64_t b = video.size(0), t = video.size(1), c = video.size(2), h = video.size(3), w = video.size(4);
  EMBER_CHECK_VALUE(c == 1 || c == 3 || c == 4, "add_video: expected 1, 3 or 4 channels, got ", c);
  EMBER_CHECK_VALUE(b >= 1 && t >= 1 && h >= 1 && w >= 1, "add_video: the video is empty: shape ", video.sizes());
  EMBER_CHECK_VALUE(std::isfinite(fps) && fps > 0, "add_video: fps must be positive, got ", fps);
  // _prepare_video: the batch padded with black videos to a power of two and tiled
  // 2^floor(log2(b) / 2) rows high, frame by frame.
  int64_t padded = 1;
  while (padded < b) padded *= 2;
  int bits = 0;
  while ((int64_t{1} << (bits + 1)) <= b) ++bits;  // b.bit_length() - 1
  const int64_t rows = int64_t{1} << (bits / 2), cols = padded / rows;
  const int64_t H = rows * h, W = cols * w;
  EMBER_CHECK_VALUE(H <= 65535 && W <= 65535, "add_video: GIF frames must be 1 to 65535 pixels a side, got ", H,
                    " x ", W);
  Tensor src = video.detach().cpu();
  // uint8 goes through v / 255 * 255 in float32 and is truncated, as PyTorch's does (which
  // gives v back); floats are scaled by 255 in float32 and truncated.
  const bool bytes = src.dtype() == kUInt8;
  Tensor f = src.to(kFloat32).contiguous();
  const float* p = f.data_ptr<float>();
  std::vector<uint8_t> frames(static_cast<size_t>(t * H * W * 3), 0);
  for (int64_t n = 0; n < b; ++n)
    for (int64_t k = 0; k < t; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          uint8_t* dst = &frames[static_cast<size_t>(((k * H + (n / cols) * h + y) * W + (n % cols) * w + x) * 3)];
          for (int64_t ch = 0; ch < 3; ++ch) {
            float v = p[(((n * t + k) * c + (c == 1 ? 0 : ch)) * h + y) * w + x];
            if (bytes) v = v / 255.0f;
            v *= 255.0f;
            v = std::isnan(v) ? 0.0f : std::min(std::max(v, 0.0f), 255.0f);
            dst[ch] = static_cast<uint8_t>(v);
          }
        }
  Summary::Value v;
  v.set_tag(tag);
  auto* img = v.mutable_image();
  img->set_height(static_cast<int32_t>(H));  // the tiled frame's size, as PyTorch records it
  img->set_width(static_cast<int32_t>(W));
  img->set_colorspace(static_cast<int32_t>(c));
  const int delay = static_cast<int>(std::lround(std::min(100.0 / fps, 65535.0)));
  img->set_encoded_image_string(encode_gif(frames.data(), t, H, W, delay));
  return v;
}

}  // namespace ember::utils::tensorboard
