#pragma once
// Per-thread buffers for the oneDNN wrappers (onednn_conv.cpp, onednn_matmul.cpp): each
// calling thread keeps one buffer per slot between calls, grown to the largest request and
// never shrunk, so a training step does not map and fault in fresh pages for every primitive
// (Note [oneDNN convolutions], "Threads"; Note [Dense bf16 GEMM blocks]). Buffers are 64-byte
// aligned (AVX-512) and sized in whole pages.
#include <array>
#include <cstddef>
#include <cstdlib>
#include <memory>

#include "ember/core/error.h"

namespace ember::cpu {

template <size_t Slots>
class ThreadWorkspace {
 public:
  // `owner` names the caller in the out-of-memory error ("oneDNN convolution").
  explicit ThreadWorkspace(const char* owner) : owner_(owner) {}

  void* get(size_t slot, size_t bytes) {
    Buffer& b = buffers_[slot];
    if (bytes > b.capacity) {
      const size_t cap = (bytes + 4095) / 4096 * 4096;
      b.data.reset(static_cast<char*>(std::aligned_alloc(64, cap)));
      EMBER_CHECK(b.data, owner_, ": out of memory allocating ", cap, " bytes");
      b.capacity = cap;
    }
    return b.data.get();
  }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  struct Buffer {
    std::unique_ptr<char, Free> data;
    size_t capacity = 0;
  };
  const char* owner_;
  std::array<Buffer, Slots> buffers_;
};

}  // namespace ember::cpu
