#pragma once
// Grad modes: whether ops record the graph. Thread-local, as in PyTorch.
namespace ember {

struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};
struct InferenceModeState {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// RAII: sets grad mode for a scope and restores the previous one.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

// torch.no_grad()
class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

// torch.inference_mode(): no graph recording, and tensors made inside are marked as
// inference tensors. ember records nothing in it, like no_grad.
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true)
      : grad_(!enabled && GradMode::is_enabled()), prev_(InferenceModeState::is_enabled()) {
    InferenceModeState::set_enabled(enabled);
  }
  ~InferenceMode() { InferenceModeState::set_enabled(prev_); }
  static bool is_enabled() { return InferenceModeState::is_enabled(); }

 private:
  AutoGradMode grad_;
  bool prev_;
};

// torch.set_grad_enabled(mode)
inline void set_grad_enabled(bool enabled) { GradMode::set_enabled(enabled); }
inline bool is_grad_enabled() { return GradMode::is_enabled(); }

}  // namespace ember
