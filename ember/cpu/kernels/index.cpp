// Indexing kernels: index values -> offsets, gather/put by offsets, scatter/gather along a
// dimension, nonzero. Compiled once per ISA. None of them throws; out-of-range indices are
// reported through BadIndex (see kernels/index.h).
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "ember/kernels/index.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Element-wise combination for accumulating writes. Integers wrap around (computed in
// uint64, so overflow is defined behaviour, as PyTorch's two's-complement results);
// bool add is "or" and bool multiply is "and"; 16-bit floats compute in float.
template <class T>
inline T combine_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a || b;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else return T(static_cast<opmath_t<T>>(a) + static_cast<opmath_t<T>>(b));
}
template <class T>
inline T combine_mul(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a && b;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else return T(static_cast<opmath_t<T>>(a) * static_cast<opmath_t<T>>(b));
}

// Plain copies do not care about the dtype, only its width.
template <class F>
void dispatch_by_width(size_t width, const F& f) {
  switch (width) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

template <class I>
void offsets_typed(const TensorIterator& iter, int64_t size, int64_t stride, bool wrap, bool accumulate,
                   BadIndex& bad) {
  const int64_t lo = wrap ? -size : 0;
  iter.for_each([&](char** data, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = static_cast<int64_t>(*reinterpret_cast<const I*>(data[1] + i * s[1]));
      if (v < lo || v >= size) {
        bad.report(v);
        return;
      }
      if (v < 0) v += size;
      int64_t* o = reinterpret_cast<int64_t*>(data[0] + i * s[0]);
      *o = accumulate ? *o + v * stride : v * stride;
    }
  });
}

void index_offsets_kernel(const TensorIterator& iter, int64_t size, int64_t stride, bool wrap, bool accumulate,
                          BadIndex& bad) {
  if (iter.dtype(1) == kInt32) offsets_typed<int32_t>(iter, size, stride, wrap, accumulate, bad);
  else offsets_typed<int64_t>(iter, size, stride, wrap, accumulate, bad);
}

void index_gather_kernel(const TensorIterator& iter) {
  dispatch_by_width(element_size(iter.dtype(0)), [&](auto tag) {
    using T = decltype(tag);
    iter.for_each([](char** data, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        int64_t off = *reinterpret_cast<const int64_t*>(data[2] + i * s[2]);
        *reinterpret_cast<T*>(data[0] + i * s[0]) = reinterpret_cast<const T*>(data[1] + i * s[1])[off];
      }
    });
  });
}

void index_put_kernel(const TensorIterator& iter, bool accumulate) {
  if (!accumulate) {
    // Repeated offsets race between threads; PyTorch leaves which value wins unspecified too.
    dispatch_by_width(element_size(iter.dtype(0)), [&](auto tag) {
      using T = decltype(tag);
      iter.for_each([](char** data, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          int64_t off = *reinterpret_cast<const int64_t*>(data[2] + i * s[2]);
          reinterpret_cast<T*>(data[0] + i * s[0])[off] = *reinterpret_cast<const T*>(data[1] + i * s[1]);
        }
      });
    });
    return;
  }
  // Accumulation runs on one thread so that repeated offsets all add up.
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "index_put_", [&] {
    iter.serial_for_each(
        [](char** data, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            int64_t off = *reinterpret_cast<const int64_t*>(data[2] + i * s[2]);
            scalar_t* d = reinterpret_cast<scalar_t*>(data[0] + i * s[0]) + off;
            *d = combine_add(*d, *reinterpret_cast<const scalar_t*>(data[1] + i * s[1]));
          }
        },
        0, iter.numel());
  });
}

template <class T, ScatterGatherOp OP>
void scatter_gather_typed(const TensorIterator& iter, const FiberGeometry& g, BadIndex& bad) {
  // One iteration element is a whole fiber along dim, so threads never share a destination.
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(g.n, 1));
  iter.for_each(
      [&](char** data, const int64_t* s, int64_t m) {
        for (int64_t i = 0; i < m; ++i) {
          if (bad.found.load(std::memory_order_relaxed)) return;
          T* dst = reinterpret_cast<T*>(data[0] + i * s[0]);
          const T* src = reinterpret_cast<const T*>(data[1] + i * s[1]);
          const int64_t* idx = reinterpret_cast<const int64_t*>(data[2] + i * s[2]);
          for (int64_t k = 0; k < g.n; ++k) {
            int64_t v = idx[k * g.index_step];
            if (v < 0 || v >= g.dim_size) {
              bad.report(v);
              return;
            }
            if constexpr (OP == ScatterGatherOp::gather) {
              dst[k * g.dst_step] = src[v * g.src_step];
            } else if constexpr (OP == ScatterGatherOp::scatter) {
              dst[v * g.dst_step] = src[k * g.src_step];
            } else if constexpr (OP == ScatterGatherOp::scatter_add) {
              T& d = dst[v * g.dst_step];
              d = combine_add(d, src[k * g.src_step]);
            } else {
              T& d = dst[v * g.dst_step];
              d = combine_mul(d, src[k * g.src_step]);
            }
          }
        }
      },
      grain);
}

void scatter_gather_kernel(ScatterGatherOp op, const TensorIterator& iter, const FiberGeometry& g, BadIndex& bad) {
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "scatter_gather", [&] {
    switch (op) {
      case ScatterGatherOp::gather: scatter_gather_typed<scalar_t, ScatterGatherOp::gather>(iter, g, bad); break;
      case ScatterGatherOp::scatter: scatter_gather_typed<scalar_t, ScatterGatherOp::scatter>(iter, g, bad); break;
      case ScatterGatherOp::scatter_add:
        scatter_gather_typed<scalar_t, ScatterGatherOp::scatter_add>(iter, g, bad);
        break;
      case ScatterGatherOp::scatter_mul:
        scatter_gather_typed<scalar_t, ScatterGatherOp::scatter_mul>(iter, g, bad);
        break;
    }
  });
}

int64_t nonzero_kernel(const bool* data, const int64_t* sizes, int64_t ndim, int64_t* out) {
  int64_t numel = 1;
  for (int64_t d = 0; d < ndim; ++d) numel *= sizes[d];
  int64_t count = 0;
  if (!out) {
    for (int64_t i = 0; i < numel; ++i) count += data[i] ? 1 : 0;
    return count;
  }
  // Walk the elements in row-major order, carrying the coordinates along.
  std::vector<int64_t> coord(static_cast<size_t>(ndim), 0);
  for (int64_t i = 0; i < numel; ++i) {
    if (data[i]) {
      for (int64_t d = 0; d < ndim; ++d) out[count * ndim + d] = coord[d];
      ++count;
    }
    for (int64_t d = ndim - 1; d >= 0; --d) {
      if (++coord[d] < sizes[d]) break;
      coord[d] = 0;
    }
  }
  return count;
}

}  // namespace

void register_index() {
  EMBER_REGISTER_KERNEL(index_offsets_stub, &index_offsets_kernel);
  EMBER_REGISTER_KERNEL(index_gather_stub, &index_gather_kernel);
  EMBER_REGISTER_KERNEL(index_put_stub, &index_put_kernel);
  EMBER_REGISTER_KERNEL(scatter_gather_stub, &scatter_gather_kernel);
  EMBER_REGISTER_KERNEL(nonzero_stub, &nonzero_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
