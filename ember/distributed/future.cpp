#include "ember/distributed/future.h"

#include "ember/core/error.h"

namespace ember::distributed {

bool Future::done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

void Future::wait() {
  std::function<void()> waiter;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done_) waiter = waiter_;
  }
  if (waiter) waiter();
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return done_; });
  if (error_) std::rethrow_exception(error_);
}

const FutureValue& Future::value() {
  wait();
  return value_;  // immutable once done_
}

Tensor Future::tensor() {
  const FutureValue& v = value();
  EMBER_CHECK(!v.tensors.empty(), "Future::tensor: the future's value is an empty list");
  return v.tensors.front();
}

std::exception_ptr Future::exception() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

bool Future::complete(FutureValue value, std::exception_ptr error) {
  std::vector<std::function<void(Future&)>> callbacks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_) return false;
    done_ = true;
    value_ = std::move(value);
    error_ = std::move(error);
    callbacks.swap(callbacks_);
    waiter_ = nullptr;  // may hold the source's state; not needed any more
  }
  cv_.notify_all();
  for (auto& cb : callbacks) cb(*this);  // Note [Future callbacks]: outside the lock
  return true;
}

bool Future::try_set_result(FutureValue value) { return complete(std::move(value), nullptr); }
bool Future::try_set_exception(std::exception_ptr error) { return complete({}, std::move(error)); }

void Future::set_result(FutureValue value) {
  EMBER_CHECK(try_set_result(std::move(value)), "Error setting result: the Future is already completed");
}

void Future::set_exception(std::exception_ptr error) {
  EMBER_CHECK(try_set_exception(std::move(error)), "Error setting exception: the Future is already completed");
}

void Future::add_done_callback(std::function<void(Future&)> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback(*this);
}

FuturePtr Future::then(std::function<FutureValue(Future&)> callback) {
  auto child = std::make_shared<Future>();
  // The child's wait() first waits for this future (whose waiter may run the op itself).
  std::weak_ptr<Future> parent = weak_from_this();
  child->set_waiter([parent] {
    if (auto p = parent.lock()) {
      try {
        p->wait();
      } catch (...) {  // the child completes with the callback's outcome, below
      }
    }
  });
  add_done_callback([child, cb = std::move(callback)](Future& self) {
    try {
      child->try_set_result(cb(self));
    } catch (...) {
      child->try_set_exception(std::current_exception());
    }
  });
  return child;
}

void Future::set_waiter(std::function<void()> waiter) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!done_) waiter_ = std::move(waiter);
}

FuturePtr make_completed_future(FutureValue value) {
  auto f = std::make_shared<Future>();
  f->set_result(std::move(value));
  return f;
}

}  // namespace ember::distributed
