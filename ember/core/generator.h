#pragma once
// Generator: PyTorch's CPU random number generator (MT19937 plus the cached normal
// sample), as a cheap shared handle like LibTorch's at::Generator. The byte layout of
// get_state()/set_state() is PyTorch's, so states round-trip with torch.get_rng_state().
//
// Note [Random streams match PyTorch]
// Every random op consumes raw 32-bit draws from this engine serially, in the output's
// memory order, while holding the generator's mutex, and turns them into values with
// exactly PyTorch's transforms (reference/formats-rng.md Part 4). Nothing is split across
// threads, so a seed gives the same numbers as torch.manual_seed(seed) on x86-64 Linux
// PyTorch 1.13.1, independent of thread count and of the CPU kernel ISA.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace ember {

class Tensor;

// PyTorch's default seed for a fresh default generator (c10::detail::default_rng_seed_val).
constexpr uint64_t kDefaultRngSeed = 67280421310721ULL;

// 32-bit Mersenne Twister with PyTorch's bookkeeping (left_/next_ count exactly as in
// at::mt19937, because both are part of the serialized state).
class MT19937 {
 public:
  static constexpr int kN = 624;
  static constexpr int kM = 397;

  explicit MT19937(uint64_t seed = 5489) { seed_with(seed); }

  // Only the low 32 bits seed the state; seed() still reports all 64.
  void seed_with(uint64_t seed) {
    seed_ = seed;
    seeded_ = true;
    state_[0] = static_cast<uint32_t>(seed & 0xFFFFFFFFu);
    for (uint32_t j = 1; j < kN; ++j) state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + j;
    left_ = 1;
    next_ = 0;
  }

  uint32_t operator()() {
    if (--left_ == 0) regenerate();
    uint32_t y = state_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
  }

  uint64_t seed() const { return seed_; }

  // Raw fields, for the serialized state.
  std::array<uint32_t, kN> state_{};
  uint64_t seed_ = 0;
  uint32_t left_ = 1;
  uint32_t next_ = 0;
  bool seeded_ = false;

  // Whether a deserialized state can be drawn from without reading outside state_: the
  // next left_ - 1 draws read state_[next_ .. next_ + left_ - 2] before regenerating.
  bool is_valid() const {
    return seeded_ && left_ >= 1 && left_ <= kN && next_ <= kN && (left_ == 1 || next_ + left_ <= kN + 1);
  }

 private:
  static uint32_t twist(uint32_t u, uint32_t v) {
    uint32_t mix = (u & 0x80000000u) | (v & 0x7FFFFFFFu);
    return (mix >> 1) ^ ((v & 1u) ? 0x9908B0DFu : 0u);
  }
  void regenerate() {
    int k = 0;
    for (; k < kN - kM; ++k) state_[k] = state_[k + kM] ^ twist(state_[k], state_[k + 1]);
    for (; k < kN - 1; ++k) state_[k] = state_[k + kM - kN] ^ twist(state_[k], state_[k + 1]);
    state_[kN - 1] = state_[kM - 1] ^ twist(state_[kN - 1], state_[0]);
    left_ = kN;
    next_ = 0;
  }
};

// The shared state behind a Generator. Kernels lock mutex_ for a whole op (Note [Random
// streams match PyTorch]) and then draw with random()/random64().
struct GeneratorImpl {
  std::mutex mutex_;
  MT19937 engine_;
  // The second value of the last scalar-path Box-Muller pair (reference/formats-rng.md
  // 4.4.4); the float one is only carried through get_state/set_state, as in PyTorch.
  std::optional<double> next_double_normal_;
  std::optional<float> next_float_normal_;

  explicit GeneratorImpl(uint64_t seed) : engine_(seed) {}

  uint32_t random() { return engine_(); }
  // The first draw is the high half.
  uint64_t random64() {
    uint64_t hi = engine_();
    uint64_t lo = engine_();
    return (hi << 32) | lo;
  }
};

class Generator {
 public:
  // A new generator seeded with PyTorch's default seed.
  Generator();
  explicit Generator(uint64_t seed);
  explicit Generator(std::shared_ptr<GeneratorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  GeneratorImpl* get() const { return impl_.get(); }
  bool operator==(const Generator& o) const { return impl_ == o.impl_; }

  // Seeds the engine (low 32 bits) and clears the cached normals.
  void set_current_seed(uint64_t seed);
  Generator& manual_seed(uint64_t seed) {
    set_current_seed(seed);
    return *this;
  }
  uint64_t current_seed() const;
  uint64_t initial_seed() const { return current_seed(); }
  // Seeds from a non-deterministic source and returns the seed used.
  uint64_t seed();

  // PyTorch's CPUGeneratorImplState as a 5056-byte uint8 tensor; set_state also takes the
  // 5048-byte legacy layout.
  Tensor get_state() const;
  void set_state(const Tensor& state);

  std::mutex& mutex() const { return impl_->mutex_; }
  // Unlocked draws, for callers that hold mutex().
  uint32_t random() const { return impl_->random(); }
  uint64_t random64() const { return impl_->random64(); }

 private:
  std::shared_ptr<GeneratorImpl> impl_;
};

Generator make_generator(uint64_t seed = kDefaultRngSeed);
// The process-wide CPU generator used when an op is given none.
Generator& default_generator();
// Seeds the default generator, as torch::manual_seed.
void manual_seed(uint64_t seed);
// The generator an op should use: `gen` when given (and defined), else the default one.
GeneratorImpl* generator_or_default(const std::optional<Generator>& gen);

}  // namespace ember
