#include "ember/data/idx.h"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "ember/ops/factory.h"

namespace ember::data {

namespace {
// Whole-file read, inflating gzip (recognised by its magic bytes, not the file name).
std::vector<unsigned char> read_all(const std::string& path) {
  EMBER_CHECK(std::filesystem::exists(path), "IDX file not found: ", path);
  gzFile f = gzopen(path.c_str(), "rb");  // zlib reads plain files transparently too
  EMBER_CHECK(f != nullptr, "cannot open IDX file ", path);
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.insert(out.end(), buf, buf + n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  std::string err_msg = msg ? msg : "";
  gzclose(f);
  EMBER_CHECK(n == 0 && (err == Z_OK || err == Z_STREAM_END), "corrupt or truncated gzip data in ", path, ": ",
              err_msg);
  return out;
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
}  // namespace

Tensor read_idx(const std::string& path) {
  std::vector<unsigned char> bytes = read_all(path);
  EMBER_CHECK(bytes.size() >= 4, "IDX file ", path, " is too short for a header (", bytes.size(), " bytes)");
  EMBER_CHECK(bytes[0] == 0 && bytes[1] == 0, "IDX file ", path, " has a bad magic number (first bytes ",
              int(bytes[0]), " ", int(bytes[1]), ", expected 0 0)");
  ScalarType dt;
  switch (bytes[2]) {
    case 0x08: dt = kUInt8; break;
    case 0x09: dt = kInt8; break;
    case 0x0B: dt = kInt16; break;
    case 0x0C: dt = kInt32; break;
    case 0x0D: dt = kFloat32; break;
    case 0x0E: dt = kFloat64; break;
    default: EMBER_THROW(Error, "IDX file ", path, " has an unknown element type code ", int(bytes[2]));
  }
  size_t ndim = bytes[3];
  EMBER_CHECK(ndim >= 1 && ndim <= 8, "IDX file ", path, " declares ", ndim, " dimensions");
  EMBER_CHECK(bytes.size() >= 4 + 4 * ndim, "IDX file ", path, " is truncated inside its header");
  DimVector shape;
  size_t count = 1;
  for (size_t i = 0; i < ndim; ++i) {
    uint32_t d = be32(&bytes[4 + 4 * i]);
    shape.push_back(d);
    EMBER_CHECK(!__builtin_mul_overflow(count, size_t(d), &count), "IDX file ", path, " has an overflowing shape");
  }
  size_t header = 4 + 4 * ndim;
  size_t payload = count * element_size(dt);
  EMBER_CHECK(bytes.size() - header == payload, "IDX file ", path, " holds ", bytes.size() - header,
              " bytes of data but its header ", shape, " needs ", payload);
  Tensor out = empty(shape, TensorOptions(dt));
  const unsigned char* src = bytes.data() + header;
  if (element_size(dt) == 1) {
    std::memcpy(out.data_ptr(), src, payload);
  } else {
    // IDX stores big-endian values.
    auto* dst = static_cast<unsigned char*>(out.data_ptr());
    size_t w = element_size(dt);
    for (size_t i = 0; i < count; ++i)
      for (size_t b = 0; b < w; ++b) dst[i * w + b] = src[i * w + (w - 1 - b)];
  }
  return out;
}

}  // namespace ember::data
