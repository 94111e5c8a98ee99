#pragma once
// Entry points of the random-number kernels (cpu/kernels/random.cpp). Each kernel locks
// the generator's mutex for the whole op and draws serially in the output's memory order
// (Note [Random streams match PyTorch] in core/generator.h). The op front ends in
// ops/random.cpp check arguments and dtypes first.
#include <cstdint>

#include "ember/core/generator.h"
#include "ember/core/tensor_iterator.h"
#include "ember/cpu/dispatch.h"

namespace ember::cpu {

// iter: (out), floating out. Values in [from, to), computed as in formats-rng.md 4.2/4.3.
using UniformKernel = void (*)(const TensorIterator& iter, double from, double to, GeneratorImpl* gen);
// self: floating; picks the 16-wide vector path or the cached scalar Box-Muller path.
using NormalKernel = void (*)(const Tensor& self, double mean, double std, GeneratorImpl* gen);
// iter: (out). out = (draw % range) + base; range >= 2^32 uses 64-bit draws for the
// dtypes where PyTorch does.
using RandomFromToKernel = void (*)(const TensorIterator& iter, uint64_t range, int64_t base, GeneratorImpl* gen);
// iter: (out). out = (int64)random64(): random_(INT64_MIN, None).
using RandomFull64Kernel = void (*)(const TensorIterator& iter, GeneratorImpl* gen);
// iter: (out). random_() without bounds: the dtype's default range.
using RandomKernel = void (*)(const TensorIterator& iter, GeneratorImpl* gen);
// iter: (out). out = (53-bit double uniform < p).
using BernoulliScalarKernel = void (*)(const TensorIterator& iter, double p, GeneratorImpl* gen);
// iter: (out, p), p floating and already expanded to out's shape.
using BernoulliTensorKernel = void (*)(const TensorIterator& iter, GeneratorImpl* gen);

inline DispatchStub<UniformKernel> uniform_stub;
inline DispatchStub<NormalKernel> normal_stub;
inline DispatchStub<RandomFromToKernel> random_from_to_stub;
inline DispatchStub<RandomFull64Kernel> random_full64_stub;
inline DispatchStub<RandomKernel> random_stub;
inline DispatchStub<BernoulliScalarKernel> bernoulli_scalar_stub;
inline DispatchStub<BernoulliTensorKernel> bernoulli_tensor_stub;

}  // namespace ember::cpu
