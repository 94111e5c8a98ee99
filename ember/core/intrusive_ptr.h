#pragma once
// A minimal intrusive reference-counted pointer. Tensors and storages carry their own
// count, so a Tensor handle is one pointer and copying it is one atomic increment
// (std::shared_ptr would add a control block and a second pointer).
#include <atomic>
#include <cstddef>
#include <utility>

namespace ember {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) : refcount_(0) {}
  RefCounted& operator=(const RefCounted&) { return *this; }
  virtual ~RefCounted() = default;
  size_t use_count() const { return refcount_.load(std::memory_order_relaxed); }

 private:
  template <class T> friend class intrusive_ptr;
  mutable std::atomic<size_t> refcount_{0};
};

template <class T>
class intrusive_ptr {
 public:
  intrusive_ptr() = default;
  intrusive_ptr(std::nullptr_t) {}
  // Adopts a fresh object (refcount 0 -> 1) or adds a reference to a shared one.
  explicit intrusive_ptr(T* p) : p_(p) { retain(); }
  intrusive_ptr(const intrusive_ptr& o) : p_(o.p_) { retain(); }
  intrusive_ptr(intrusive_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <class U>
  intrusive_ptr(const intrusive_ptr<U>& o) : p_(o.get()) { retain(); }
  ~intrusive_ptr() { release(); }
  intrusive_ptr& operator=(const intrusive_ptr& o) {
    intrusive_ptr(o).swap(*this);
    return *this;
  }
  intrusive_ptr& operator=(intrusive_ptr&& o) noexcept {
    intrusive_ptr(std::move(o)).swap(*this);
    return *this;
  }
  void swap(intrusive_ptr& o) noexcept { std::swap(p_, o.p_); }
  void reset() { intrusive_ptr().swap(*this); }

  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool defined() const { return p_ != nullptr; }
  size_t use_count() const { return p_ ? p_->use_count() : 0; }
  bool operator==(const intrusive_ptr& o) const { return p_ == o.p_; }
  bool operator!=(const intrusive_ptr& o) const { return p_ != o.p_; }

 private:
  void retain() {
    if (p_) p_->refcount_.fetch_add(1, std::memory_order_relaxed);
  }
  // The last owner (count 1) deletes without the atomic decrement: no other thread can
  // hold a reference to add one, and a locked read-modify-write costs as much as a
  // dozen ordinary instructions on the per-op path.
  void release() {
    if (p_ && (p_->refcount_.load(std::memory_order_acquire) == 1 ||
               p_->refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1))
      delete p_;
    p_ = nullptr;
  }
  // A fresh object nobody else can see yet: its count is set, not incremented.
  struct AdoptFresh {};
  intrusive_ptr(T* p, AdoptFresh) : p_(p) { p_->refcount_.store(1, std::memory_order_relaxed); }
  template <class U, class... Args>
  friend intrusive_ptr<U> make_intrusive(Args&&... args);

  T* p_ = nullptr;
};

template <class T, class... Args>
intrusive_ptr<T> make_intrusive(Args&&... args) {
  return intrusive_ptr<T>(new T(std::forward<Args>(args)...), typename intrusive_ptr<T>::AdoptFresh{});
}

}  // namespace ember
