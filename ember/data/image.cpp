#include "ember/data/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "ember/core/error.h"
#include "ember/ops/factory.h"

// stb_image_write keeps its in-memory PNG encoder out of the public part of its header;
// Debian's libstb.so exports it with C linkage.
extern "C" unsigned char* stbi_write_png_to_mem(const unsigned char* pixels, int stride_bytes, int x, int y, int n,
                                                int* out_len);

namespace ember::data {

Tensor decode_image(const unsigned char* data, size_t size, int channels, const std::string& name) {
  EMBER_CHECK_VALUE(channels == 0 || channels == 1 || channels == 3 || channels == 4,
                    "read_image: channels must be 0 (as stored), 1, 3 or 4, got ", channels);
  EMBER_CHECK(size > 0, "cannot decode image ", name, ": the file is empty");
  EMBER_CHECK(size <= static_cast<size_t>(INT32_MAX), "cannot decode image ", name, ": the file is too large (",
              size, " bytes)");
  int w = 0, h = 0, stored = 0;
  // stb validates the format and never reads past `size` bytes.
  unsigned char* pixels = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &stored, channels);
  EMBER_CHECK(pixels != nullptr, "cannot decode image ", name, ": ", stbi_failure_reason(),
              " (not a valid PNG/JPEG/BMP/GIF/PNM/TGA/PSD file, or truncated)");
  const int c = channels == 0 ? stored : channels;
  Tensor hwc = empty({h, w, c}, TensorOptions(kUInt8));
  std::memcpy(hwc.data_ptr(), pixels, static_cast<size_t>(h) * w * c);
  stbi_image_free(pixels);
  return hwc.permute({2, 0, 1}).contiguous();
}

Tensor read_image(const std::string& path, int channels) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "cannot open image file ", path);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EMBER_CHECK(!in.bad(), "error while reading image file ", path);
  return decode_image(bytes.data(), bytes.size(), channels, path);
}

namespace {

// The [C, H, W] uint8 image as contiguous HWC bytes, checked.
Tensor png_pixels(const Tensor& image, const char* who) {
  EMBER_CHECK(image.defined() && image.dtype() == kUInt8 && (image.dim() == 2 || image.dim() == 3),
              who, " expects a uint8 [C, H, W] or [H, W] tensor, got ",
              image.defined() ? image.sizes() : IntArrayRef{}, " of dtype ", image.defined() ? image.dtype() : kUInt8);
  Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image;
  const int64_t c = chw.size(0), h = chw.size(1), w = chw.size(2);
  EMBER_CHECK(c >= 1 && c <= 4, who, ": expected 1 to 4 channels, got ", c);
  EMBER_CHECK(h > 0 && w > 0 && h < INT32_MAX / 4 && w < INT32_MAX / 4 / h, who, ": cannot encode a ", h, "x", w,
              " image as PNG");
  return chw.permute({1, 2, 0}).contiguous();
}

}  // namespace

void write_png(const std::string& path, const Tensor& image) {
  Tensor hwc = png_pixels(image, "write_png");
  const int64_t h = hwc.size(0), w = hwc.size(1), c = hwc.size(2);
  int ok = stbi_write_png(path.c_str(), static_cast<int>(w), static_cast<int>(h), static_cast<int>(c),
                          hwc.data_ptr(), static_cast<int>(w * c));
  EMBER_CHECK(ok != 0, "write_png: cannot write ", path);
}

std::string encode_png(const Tensor& image) {
  Tensor hwc = png_pixels(image, "encode_png");
  const int64_t h = hwc.size(0), w = hwc.size(1), c = hwc.size(2);
  int length = 0;
  unsigned char* png = stbi_write_png_to_mem(static_cast<const unsigned char*>(hwc.data_ptr()),
                                             static_cast<int>(w * c), static_cast<int>(w), static_cast<int>(h),
                                             static_cast<int>(c), &length);
  EMBER_CHECK(png != nullptr, "encode_png: out of memory encoding a ", h, "x", w, " image");
  std::string bytes(reinterpret_cast<const char*>(png), static_cast<size_t>(length));
  std::free(png);  // stb_image_write allocates with malloc (STBIW_MALLOC)
  return bytes;
}

}  // namespace ember::data
