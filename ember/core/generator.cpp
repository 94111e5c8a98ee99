#include "ember/core/generator.h"

#include <cmath>
#include <cstring>
#include <random>

#include "ember/core/error.h"
#include "ember/core/tensor.h"
#include "ember/core/thread_state.h"

namespace ember {

namespace {

// PyTorch's serialized CPU generator state (x86-64 layout, natural alignment). The
// mt19937 state words are widened to 64 bits, and of the legacy normal fields only
// normal_y (the cached double sample) and normal_is_valid carry meaning.
struct LegacyState {
  int64_t initial_seed;
  int32_t left;
  int32_t seeded;
  uint64_t next;
  uint64_t state[MT19937::kN];
  double normal_x;
  double normal_y;
  double normal_rho;
  int32_t normal_is_valid;
};
struct CurrentState {
  LegacyState legacy;
  float next_float_normal;
  bool next_float_normal_valid;
};
static_assert(sizeof(LegacyState) == 5048, "layout must match PyTorch's CPUGeneratorImplStateLegacy");
static_assert(sizeof(CurrentState) == 5056, "layout must match PyTorch's CPUGeneratorImplState");

}  // namespace

Generator::Generator() : impl_(std::make_shared<GeneratorImpl>(kDefaultRngSeed)) {}
Generator::Generator(uint64_t seed) : impl_(std::make_shared<GeneratorImpl>(seed)) {}

void Generator::set_current_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->engine_.seed_with(seed);
  impl_->next_double_normal_.reset();
  impl_->next_float_normal_.reset();
}

uint64_t Generator::current_seed() const {
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->engine_.seed();
}

uint64_t Generator::seed() {
  // As PyTorch: two 32-bit words from the OS, kept to 53 bits so the seed survives a
  // round trip through a Python float.
  std::random_device rd;
  uint64_t s = ((static_cast<uint64_t>(rd()) << 32) + rd()) & 0x1FFFFFFFFFFFFFULL;
  set_current_seed(s);
  return s;
}

Tensor Generator::get_state() const {
  CurrentState st;
  std::memset(&st, 0, sizeof st);  // padding bytes too, so states compare bytewise
  {
    std::lock_guard<std::mutex> lock(impl_->mutex_);
    const MT19937& e = impl_->engine_;
    st.legacy.initial_seed = static_cast<int64_t>(e.seed_);
    st.legacy.left = static_cast<int32_t>(e.left_);
    st.legacy.seeded = e.seeded_ ? 1 : 0;
    st.legacy.next = e.next_;
    for (int i = 0; i < MT19937::kN; ++i) st.legacy.state[i] = e.state_[i];
    if (impl_->next_double_normal_) {
      st.legacy.normal_is_valid = 1;
      st.legacy.normal_y = *impl_->next_double_normal_;
    }
    if (impl_->next_float_normal_) {
      st.next_float_normal_valid = true;
      st.next_float_normal = *impl_->next_float_normal_;
    }
  }
  Tensor out(make_intrusive<TensorImpl>(IntArrayRef{static_cast<int64_t>(sizeof st)}, kUInt8,
                                        Device(DeviceType::CPU)));
  std::memcpy(out.data_ptr(), &st, sizeof st);
  return out;
}

void Generator::set_state(const Tensor& state) {
  EMBER_CHECK(state.defined() && state.is_cpu() && state.dtype() == kUInt8, "RNG state must be a torch.ByteTensor");
  EMBER_CHECK(state.is_contiguous(), "RNG state must be contiguous");
  const int64_t n = state.numel();
  CurrentState st;
  std::memset(&st, 0, sizeof st);
  std::optional<double> dnormal;
  std::optional<float> fnormal;
  if (n == static_cast<int64_t>(sizeof(LegacyState))) {
    std::memcpy(&st.legacy, state.data_ptr(), sizeof(LegacyState));
    // The legacy layout cached Box-Muller's inputs; the pending sample is the sine half.
    if (st.legacy.normal_is_valid) {
      double theta = 2.0 * 3.14159265358979323846 * st.legacy.normal_x;
      dnormal = st.legacy.normal_rho * std::sin(theta);
    }
  } else if (n == static_cast<int64_t>(sizeof(CurrentState))) {
    std::memcpy(&st, state.data_ptr(), sizeof(CurrentState));
    if (st.legacy.normal_is_valid) dnormal = st.legacy.normal_y;
    if (st.next_float_normal_valid) fnormal = st.next_float_normal;
  } else {
    EMBER_THROW(Error, "Expected either a CPUGeneratorImplStateLegacy of size ", sizeof(LegacyState),
                " or a CPUGeneratorImplState of size ", sizeof(CurrentState),
                " but found the input RNG state size to be ", n);
  }
  MT19937 e;
  for (int i = 0; i < MT19937::kN; ++i) e.state_[i] = static_cast<uint32_t>(st.legacy.state[i]);
  e.seed_ = static_cast<uint64_t>(st.legacy.initial_seed);
  e.left_ = static_cast<uint32_t>(st.legacy.left);
  e.seeded_ = st.legacy.seeded != 0;
  e.next_ = static_cast<uint32_t>(st.legacy.next);
  EMBER_CHECK(st.legacy.next <= MT19937::kN && e.is_valid(), "Invalid mt19937 state");
  std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->engine_ = e;
  impl_->next_double_normal_ = dnormal;
  impl_->next_float_normal_ = fnormal;
}

Generator make_generator(uint64_t seed) { return Generator(seed); }

namespace {
// Note [Per-thread overrides] (core/parallel.cpp): set by DefaultGeneratorGuard.
__attribute__((tls_model("initial-exec"))) thread_local Generator* t_default_generator = nullptr;
}  // namespace

Generator& default_generator() {
  if (Generator* g = t_default_generator) return *g;
  // Never destroyed: kernels on other threads may still use it during static destruction.
  static Generator* gen = new Generator(kDefaultRngSeed);
  return *gen;
}

DefaultGeneratorGuard::DefaultGeneratorGuard(Generator gen) : gen_(std::move(gen)), prev_(t_default_generator) {
  EMBER_CHECK(gen_.defined(), "DefaultGeneratorGuard needs a defined generator");
  t_default_generator = &gen_;
}

DefaultGeneratorGuard::~DefaultGeneratorGuard() { t_default_generator = prev_; }

void manual_seed(uint64_t seed) { default_generator().set_current_seed(seed); }

GeneratorImpl* generator_or_default(const std::optional<Generator>& gen) {
  if (gen && gen->defined()) return gen->get();
  return default_generator().get();
}

}  // namespace ember
