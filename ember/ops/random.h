#pragma once
// Random tensors: rand, randn, randint, randperm, normal, bernoulli and the *_like forms.
// With the same seed they produce PyTorch 1.13.1's CPU values bit for bit (Note [Random
// streams match PyTorch] in core/generator.h). The in-place Tensor methods (uniform_,
// normal_, bernoulli_, random_) are declared in core/tensor.h and defined in random.cpp.
//
// Each function takes an optional Generator; without one it uses default_generator().
// Factories default to the default dtype (rand, randn, normal) or int64 (randint,
// randperm) and honour requires_grad in the options.
#include <optional>

#include "ember/core/generator.h"
#include "ember/core/tensor.h"

namespace ember {

Tensor rand(IntArrayRef size, const TensorOptions& options = {});
Tensor rand(IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options = {});
Tensor randn(IntArrayRef size, const TensorOptions& options = {});
Tensor randn(IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options = {});

// Integers uniform in [low, high) (high alone: [0, high)).
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options = {});
Tensor randint(int64_t high, IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef size, std::optional<Generator> gen,
               const TensorOptions& options = {});

// A random permutation of 0 .. n-1.
Tensor randperm(int64_t n, const TensorOptions& options = {});
Tensor randperm(int64_t n, std::optional<Generator> gen, const TensorOptions& options = {});

// Same shape (and dtype unless options say otherwise) as t.
Tensor rand_like(const Tensor& t, std::optional<TensorOptions> options = std::nullopt);
Tensor randn_like(const Tensor& t, std::optional<TensorOptions> options = std::nullopt);
Tensor randint_like(const Tensor& t, int64_t high, std::optional<TensorOptions> options = std::nullopt);
Tensor randint_like(const Tensor& t, int64_t low, int64_t high, std::optional<TensorOptions> options = std::nullopt);

// Each element 1 with probability probs[i] (output dtype: probs'); or with probability p
// (output shape and dtype: x's).
Tensor bernoulli(const Tensor& probs, std::optional<Generator> gen = std::nullopt);
Tensor bernoulli(const Tensor& x, double p, std::optional<Generator> gen = std::nullopt);

// N(mean, std). The tensor forms broadcast mean against std and draw N(0, 1) first, then
// scale and shift, as PyTorch does.
Tensor normal(double mean, double std, IntArrayRef size, std::optional<Generator> gen = std::nullopt,
              const TensorOptions& options = {});
Tensor normal(const Tensor& mean, double std = 1, std::optional<Generator> gen = std::nullopt);
Tensor normal(double mean, const Tensor& std, std::optional<Generator> gen = std::nullopt);
Tensor normal(const Tensor& mean, const Tensor& std, std::optional<Generator> gen = std::nullopt);

// torch.multinomial: num_samples category indices (int64) per row of a 1-D or 2-D tensor of
// non-negative float32/float64 weights, drawn as PyTorch 1.13's CPU kernel draws them
// (Note [Multinomial draws] in multinomial.cpp), so the indices match torch's after the same
// seed. Without replacement the indices of a row are distinct.
Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement = false,
                   std::optional<Generator> gen = std::nullopt);

}  // namespace ember
