#pragma once
// Internal to ember/distributed: how a free function tells the backend that its caller waits.
//
// Note [Blocking calls]
// torch.distributed's free functions with async_op=false wait for the op right after queueing
// it. They run the backend's method inside a BlockingCall scope; a backend whose group is idle
// (nothing queued, nothing running) then runs the op on the calling thread before returning
// the Work, never waking its comm thread (Note [Running on the waiting thread] in
// process_group_mpi.cpp). The scope covers only the backend call itself, so an op queued from
// the same thread outside it (async_op=true, DDP's buckets) still goes to the comm thread.
namespace ember::distributed::detail {

class BlockingCall {
 public:
  BlockingCall() : outer_(active_) { active_ = true; }
  ~BlockingCall() { active_ = outer_; }
  BlockingCall(const BlockingCall&) = delete;
  BlockingCall& operator=(const BlockingCall&) = delete;
  // Whether the op being queued on this thread will be waited for at once.
  static bool active() { return active_; }

 private:
  bool outer_;
  static inline thread_local bool active_ = false;
};

}  // namespace ember::distributed::detail
