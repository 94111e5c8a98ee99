#pragma once
// Note [Releasing the GIL]
// ember kernels never touch Python objects, so the GIL is released around any op whose
// work is large enough for another Python thread to gain from it; below kGilReleaseElements
// the release and re-acquire (~50 ns, python-package.md §3.4) would cost more than the op.
// Python objects are created (wrap) only after the GIL is back. Code that calls into Python
// from C++ (hooks, custom Functions, dataset callbacks) takes the GIL itself
// (pybind11::gil_scoped_acquire), so it may run on any thread.
#include <Python.h>

#include <cstdint>
#include <utility>

namespace ember::python {

constexpr int64_t kGilReleaseElements = 1 << 15;

class ReleaseGilIfLarge {
 public:
  explicit ReleaseGilIfLarge(int64_t elements) {
    if (elements >= kGilReleaseElements) state_ = PyEval_SaveThread();
  }
  ~ReleaseGilIfLarge() {
    if (state_) PyEval_RestoreThread(state_);
  }
  ReleaseGilIfLarge(const ReleaseGilIfLarge&) = delete;
  ReleaseGilIfLarge& operator=(const ReleaseGilIfLarge&) = delete;

 private:
  PyThreadState* state_ = nullptr;
};

// Runs f() with the GIL released when `elements` is large; returns its result.
template <class F>
auto without_gil_if_large(int64_t elements, F&& f) {
  ReleaseGilIfLarge gil(elements);
  return std::forward<F>(f)();
}

}  // namespace ember::python
