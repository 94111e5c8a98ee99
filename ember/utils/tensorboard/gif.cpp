#include "ember/utils/tensorboard/gif.h"

#include <algorithm>
#include <unordered_map>

#include "ember/core/error.h"

namespace ember::utils::tensorboard {

// Note [GIF encoding]
// GIF89a (https://www.w3.org/Graphics/GIF/spec-gif89a.txt): a header, a logical screen of the
// frames' size, the NETSCAPE2.0 application extension with loop count 0 (repeat forever, as
// moviepy's GIFs do), then per frame a graphic control extension (the delay), an image
// descriptor with a local colour table, and the indices LZW-compressed in sub-blocks of at
// most 255 bytes. Colours: a frame with at most 256 distinct colours gets exactly those (so
// synthetic frames decode to the logged pixels bit for bit); a frame with more gets an
// adaptive palette by median cut (moviepy's GIFs get adaptive palettes too), without
// dithering: smooth gradients stay within a few levels (tests/python/test_tensorboard_media.py).
//
// LZW code widths: the encoder and every decoder count one table slot per code after a clear
// code (the decoder fills the slot one code later, but counts it at the same time). A code is
// written in the width in force before its slot is counted; after counting, the width grows
// when the count reaches 1 << width (at most 12 bits). The final pixel code is counted like the
// others, so the end-of-information code that follows is written in the width a decoder
// expects. When the table is full (slot 4095) a clear code restarts it.

namespace {

void put16(std::string& out, int64_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

// Bits packed least-significant first into 255-byte sub-blocks.
class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  void write(uint32_t code, int width) {
    acc_ |= static_cast<uint64_t>(code) << nbits_;
    nbits_ += width;
    while (nbits_ >= 8) {
      byte(static_cast<uint8_t>(acc_ & 0xFF));
      acc_ >>= 8;
      nbits_ -= 8;
    }
  }
  void finish() {
    if (nbits_ > 0) byte(static_cast<uint8_t>(acc_ & 0xFF));
    acc_ = 0;
    nbits_ = 0;
    flush_block();
    out_.push_back(0);  // block terminator
  }

 private:
  void byte(uint8_t b) {
    block_[len_++] = b;
    if (len_ == 255) flush_block();
  }
  void flush_block() {
    if (len_ == 0) return;
    out_.push_back(static_cast<char>(len_));
    out_.append(reinterpret_cast<const char*>(block_), len_);
    len_ = 0;
  }
  std::string& out_;
  uint64_t acc_ = 0;
  int nbits_ = 0;
  uint8_t block_[255];
  int len_ = 0;
};

void lzw(std::string& out, const std::vector<uint8_t>& indices, int min_code_size) {
  out.push_back(static_cast<char>(min_code_size));
  BitWriter bits(out);
  const uint32_t clear = 1u << min_code_size, eoi = clear + 1;
  // (prefix code << 8 | next index) -> code of that string.
  std::unordered_map<uint32_t, uint32_t> table;
  table.reserve(4096);
  int width = min_code_size + 1;
  uint32_t last = eoi;  // the slot most recently counted
  auto count_slot = [&] {
    ++last;
    if (last >= (1u << width) && width < 12) ++width;
  };
  bits.write(clear, width);
  uint32_t cur = indices[0];
  for (size_t i = 1; i < indices.size(); ++i) {
    const uint32_t key = (cur << 8) | indices[i];
    auto it = table.find(key);
    if (it != table.end()) {
      cur = it->second;
      continue;
    }
    bits.write(cur, width);
    count_slot();
    table.emplace(key, last);
    if (last == 4095) {
      bits.write(clear, width);
      table.clear();
      width = min_code_size + 1;
      last = eoi;
    }
    cur = indices[i];
  }
  bits.write(cur, width);
  count_slot();
  bits.write(eoi, width);
  bits.finish();
}

// Median cut (Heckbert): the frame's colours, 5 bits a channel, in boxes split at the median
// pixel of their widest channel until there are 256 or none can be split; each box's colour
// is the mean of its pixels' full colours.
void median_cut(const uint8_t* rgb, int64_t pixels, std::vector<uint8_t>& palette, std::vector<uint8_t>& indices) {
  constexpr int kBins = 1 << 15;
  struct Bin {
    uint64_t count = 0, sum[3] = {0, 0, 0};
  };
  std::vector<Bin> bins(kBins);
  auto bin_of = [](const uint8_t* p) { return ((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3); };
  for (int64_t i = 0; i < pixels; ++i) {
    const uint8_t* p = rgb + 3 * i;
    Bin& b = bins[bin_of(p)];
    ++b.count;
    for (int c = 0; c < 3; ++c) b.sum[c] += p[c];
  }
  std::vector<int> used;
  for (int i = 0; i < kBins; ++i)
    if (bins[i].count) used.push_back(i);
  auto channel = [](int bin, int c) { return (bin >> (10 - 5 * c)) & 31; };
  struct Box {
    size_t begin, end;  // a range of `used`
    int widest, extent;
  };
  auto measure = [&](Box& b) {
    int lo[3] = {31, 31, 31}, hi[3] = {0, 0, 0};
    for (size_t i = b.begin; i < b.end; ++i)
      for (int c = 0; c < 3; ++c) {
        lo[c] = std::min(lo[c], channel(used[i], c));
        hi[c] = std::max(hi[c], channel(used[i], c));
      }
    b.widest = 0;
    for (int c = 1; c < 3; ++c)
      if (hi[c] - lo[c] > hi[b.widest] - lo[b.widest]) b.widest = c;
    b.extent = hi[b.widest] - lo[b.widest];
  };
  std::vector<Box> boxes{{0, used.size(), 0, 0}};
  measure(boxes[0]);
  while (boxes.size() < 256) {
    size_t pick = boxes.size();
    for (size_t i = 0; i < boxes.size(); ++i)
      if (boxes[i].end - boxes[i].begin > 1 && (pick == boxes.size() || boxes[i].extent > boxes[pick].extent))
        pick = i;
    if (pick == boxes.size()) break;
    Box b = boxes[pick];
    std::sort(used.begin() + static_cast<std::ptrdiff_t>(b.begin), used.begin() + static_cast<std::ptrdiff_t>(b.end),
              [&](int x, int y) { return channel(x, b.widest) < channel(y, b.widest); });
    uint64_t total = 0, run = 0;
    for (size_t i = b.begin; i < b.end; ++i) total += bins[used[i]].count;
    size_t split = b.begin + 1;  // both halves keep at least one bin
    for (size_t i = b.begin; i + 1 < b.end; ++i) {
      run += bins[used[i]].count;
      split = i + 1;
      if (2 * run >= total) break;
    }
    Box left{b.begin, split, 0, 0}, right{split, b.end, 0, 0};
    measure(left);
    measure(right);
    boxes[pick] = left;
    boxes.push_back(right);
  }
  std::vector<uint8_t> box_of(kBins, 0);
  palette.clear();
  for (size_t k = 0; k < boxes.size(); ++k) {
    uint64_t count = 0, sum[3] = {0, 0, 0};
    for (size_t i = boxes[k].begin; i < boxes[k].end; ++i) {
      const Bin& b = bins[used[i]];
      count += b.count;
      for (int c = 0; c < 3; ++c) sum[c] += b.sum[c];
      box_of[used[i]] = static_cast<uint8_t>(k);
    }
    for (int c = 0; c < 3; ++c) palette.push_back(static_cast<uint8_t>((sum[c] + count / 2) / count));
  }
  for (int64_t i = 0; i < pixels; ++i) indices[static_cast<size_t>(i)] = box_of[bin_of(rgb + 3 * i)];
}

// Palette and indices of one frame (Note [GIF encoding]).
void quantize(const uint8_t* rgb, int64_t pixels, std::vector<uint8_t>& palette, std::vector<uint8_t>& indices) {
  palette.clear();
  indices.resize(static_cast<size_t>(pixels));
  std::unordered_map<uint32_t, uint8_t> exact;
  for (int64_t i = 0; i < pixels; ++i) {
    const uint8_t* p = rgb + 3 * i;
    const uint32_t key = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    auto it = exact.find(key);
    if (it == exact.end()) {
      if (exact.size() == 256) return median_cut(rgb, pixels, palette, indices);
      it = exact.emplace(key, static_cast<uint8_t>(exact.size())).first;
      palette.insert(palette.end(), p, p + 3);
    }
    indices[static_cast<size_t>(i)] = it->second;
  }
}

}  // namespace

std::string encode_gif(const uint8_t* rgb, int64_t count, int64_t height, int64_t width, int delay_cs) {
  EMBER_CHECK_VALUE(height >= 1 && width >= 1 && height <= 65535 && width <= 65535,
                    "add_video: GIF frames must be 1 to 65535 pixels a side, got ", height, " x ", width);
  EMBER_CHECK_VALUE(count >= 1, "add_video: the video has no frame");
  std::string out = "GIF89a";
  put16(out, width);
  put16(out, height);
  out += {'\0', '\0', '\0'};  // no global colour table, background 0, square pixels
  // NETSCAPE2.0: loop forever.
  out += {'\x21', '\xFF', '\x0B'};
  out += "NETSCAPE2.0";
  out += {'\x03', '\x01', '\0', '\0', '\0'};
  const int64_t pixels = height * width;
  std::vector<uint8_t> palette, indices;
  for (int64_t f = 0; f < count; ++f) {
    quantize(rgb + f * pixels * 3, pixels, palette, indices);
    out += {'\x21', '\xF9', '\x04', '\x04'};  // graphic control: disposal 1 (leave in place)
    put16(out, std::clamp(delay_cs, 0, 65535));
    out += {'\0', '\0'};  // no transparent index, terminator
    out.push_back('\x2C');
    put16(out, 0);
    put16(out, 0);
    put16(out, width);
    put16(out, height);
    int bits = 1;  // colour table of 2^bits entries
    while ((size_t{1} << bits) * 3 < palette.size()) ++bits;
    out.push_back(static_cast<char>(0x80 | (bits - 1)));
    palette.resize((size_t{1} << bits) * 3, 0);
    out.append(reinterpret_cast<const char*>(palette.data()), palette.size());
    lzw(out, indices, std::max(2, bits));
  }
  out.push_back('\x3B');
  return out;
}

}  // namespace ember::utils::tensorboard
