#pragma once
// The random-number kernel families (DispatchStubs, Note [Dispatch by device]; the CPU's
// are in cpu/kernels/random.cpp). Each kernel locks
// the generator's mutex for the whole op and draws serially in the output's memory order
// (Note [Random streams match PyTorch] in core/generator.h). The op front ends in
// ops/random.cpp check arguments and dtypes first.
#include <cstdint>

#include "ember/core/generator.h"
#include "ember/core/tensor_iterator.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

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

inline DispatchStub<UniformKernel> uniform_stub{"uniform"};
inline DispatchStub<NormalKernel> normal_stub{"normal"};
inline DispatchStub<RandomFromToKernel> random_from_to_stub{"random_from_to"};
inline DispatchStub<RandomFull64Kernel> random_full64_stub{"random_full64"};
inline DispatchStub<RandomKernel> random_stub{"random"};
inline DispatchStub<BernoulliScalarKernel> bernoulli_scalar_stub{"bernoulli_scalar"};
inline DispatchStub<BernoulliTensorKernel> bernoulli_tensor_stub{"bernoulli_tensor"};

}  // namespace ember::kernels
