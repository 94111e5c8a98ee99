#pragma once
// ember::distributed::Future: the result of an asynchronous op, as c10's ivalue::Future is
// used by torch.distributed (Work::get_future(), DDP comm hooks) and as torch.futures.Future
// in Python. Its value is one tensor or a list of tensors (a Work's future holds the list of
// the op's result tensors; a then() callback may return either).
//
// Note [Future callbacks]
// A then()/add_done_callback() callback runs exactly once, on the thread that completes the
// future (the group's comm thread for a Work's future), or at once on the caller's thread when
// the future is already complete. Callbacks run outside the future's lock, so a callback may
// chain further futures or wait on others. wait() first runs the waiter of the future's
// source (a Work's wait(), which may run the op on the waiting thread, Note [Running on the
// waiting thread]), so waiting on a future never waits for the comm thread to get round to it.
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::distributed {

// One tensor (is_list false) or a list of tensors: what a Future holds.
struct FutureValue {
  FutureValue() : is_list(true) {}
  FutureValue(Tensor t) : tensors{std::move(t)}, is_list(false) {}                    // NOLINT: implicit on purpose
  FutureValue(std::vector<Tensor> ts) : tensors(std::move(ts)), is_list(true) {}     // NOLINT
  std::vector<Tensor> tensors;
  bool is_list;
};

class Future;
using FuturePtr = std::shared_ptr<Future>;

class Future : public std::enable_shared_from_this<Future> {
 public:
  Future() = default;
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;

  bool done() const;
  // Blocks until complete; rethrows the error the future completed with.
  void wait();
  // wait(), then the value.
  const FutureValue& value();
  // The value as a list (a single tensor is a list of one).
  const std::vector<Tensor>& tensors() { return value().tensors; }
  // The one tensor of the value (the first of a list).
  Tensor tensor();
  std::exception_ptr exception() const;

  // Completes the future (once: a second completion is an error).
  void set_result(FutureValue value);
  void set_exception(std::exception_ptr error);
  // Completes it unless already complete; returns whether this call completed it.
  bool try_set_result(FutureValue value);
  bool try_set_exception(std::exception_ptr error);

  // Note [Future callbacks]. The returned future completes with the callback's return value,
  // or with its exception (or this future's error, which the callback sees when it calls
  // value()).
  FuturePtr then(std::function<FutureValue(Future&)> callback);
  void add_done_callback(std::function<void(Future&)> callback);

  // Run by wait() before blocking (Note [Future callbacks]); set once by the creator.
  void set_waiter(std::function<void()> waiter);

 private:
  bool complete(FutureValue value, std::exception_ptr error);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  FutureValue value_;
  std::exception_ptr error_;
  std::vector<std::function<void(Future&)>> callbacks_;
  std::function<void()> waiter_;
};

// A future already completed with `value`.
FuturePtr make_completed_future(FutureValue value);

}  // namespace ember::distributed
