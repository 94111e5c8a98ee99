#pragma once
// Inner loops shared by the elementwise kernels. Each takes the TensorIterator's 1-D
// chunk (data pointers, byte strides, count). The dense case is a plain indexed loop the
// compiler vectorises for the ISA this copy is built for; the strided case walks bytes.
// A dense output of at least kStreamingStoreBytes that is not also an input is written
// with streaming stores (Note [Streaming stores]).
#include <cstdint>

#include "ember/core/tensor_iterator.h"
#include "ember/cpu/streaming_store.h"

namespace ember::cpu {

// out[i] = f(in[i])
template <class Out, class In, class F>
void unary_loop(const TensorIterator& iter, const F& f) {
  const bool large = iter.numel() * int64_t(sizeof(Out)) >= kStreamingStoreBytes;
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    if (strides[0] == sizeof(Out) && strides[1] == sizeof(In)) {
      Out* __restrict out = reinterpret_cast<Out*>(data[0]);
      const In* __restrict in = reinterpret_cast<const In*>(data[1]);
      if (large && data[0] != data[1]) {
        store_streaming(out, n, [&](Out* __restrict dst, int64_t i0, int64_t m) {
          for (int64_t i = 0; i < m; ++i) dst[i] = f(in[i0 + i]);
        });
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
      }
    } else {
      char* out = data[0];
      const char* in = data[1];
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(out + i * strides[0]) = f(*reinterpret_cast<const In*>(in + i * strides[1]));
    }
  });
}

// out[i] = f(a[i], b[i]); dense, scalar-left and scalar-right cases get their own loops
// so that `x + 1` and `2 * x` vectorise too.
template <class Out, class In, class F>
void binary_loop(const TensorIterator& iter, const F& f) {
  const bool large = iter.numel() * int64_t(sizeof(Out)) >= kStreamingStoreBytes;
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    constexpr int64_t so = sizeof(Out), si = sizeof(In);
    Out* __restrict out = reinterpret_cast<Out*>(data[0]);
    const In* __restrict a = reinterpret_cast<const In*>(data[1]);
    const In* __restrict b = reinterpret_cast<const In*>(data[2]);
    const bool stream = large && data[0] != data[1] && data[0] != data[2];
    if (strides[0] == so && strides[1] == si && strides[2] == si) {
      if (stream) {
        store_streaming(out, n, [&](Out* __restrict dst, int64_t i0, int64_t m) {
          for (int64_t i = 0; i < m; ++i) dst[i] = f(a[i0 + i], b[i0 + i]);
        });
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
      }
    } else if (strides[0] == so && strides[1] == si && strides[2] == 0) {
      const In bv = *b;
      if (stream) {
        store_streaming(out, n, [&](Out* __restrict dst, int64_t i0, int64_t m) {
          for (int64_t i = 0; i < m; ++i) dst[i] = f(a[i0 + i], bv);
        });
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
      }
    } else if (strides[0] == so && strides[1] == 0 && strides[2] == si) {
      const In av = *a;
      if (stream) {
        store_streaming(out, n, [&](Out* __restrict dst, int64_t i0, int64_t m) {
          for (int64_t i = 0; i < m; ++i) dst[i] = f(av, b[i0 + i]);
        });
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
      }
    } else {
      char* po = data[0];
      const char* pa = data[1];
      const char* pb = data[2];
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(po + i * strides[0]) =
            f(*reinterpret_cast<const In*>(pa + i * strides[1]), *reinterpret_cast<const In*>(pb + i * strides[2]));
    }
  });
}

}  // namespace ember::cpu
