#pragma once
// One event file and the thread that writes it (TensorBoard's EventFileWriter).
//
// Note [Event writer thread]: add_* calls never touch the disk. A scalar is queued as
// (tag, value, step, wall time) in a few hundred nanoseconds and encoded on the writer
// thread; other summaries are encoded by the caller (their work is the histogram or the PNG,
// as in PyTorch) and queued as finished payloads. The caller wakes the thread when
// `max_queue` events are pending (PyTorch's "size of the queue before an add forces a
// flush"), and the thread wakes by itself every `flush_secs`; each wake-up writes every
// pending record in one write(2) (Note [Whole records on disk]). If the thread falls behind
// by kHardLimit events the callers wait for it, so memory stays bounded. flush() returns
// once everything queued before it is in the file; an error on the thread (a full disk) is
// rethrown by the next flush() or close().
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace ember::utils::tensorboard {

class EventFileWriter {
 public:
  // Creates `log_dir` if needed and the event file, whose first record (file_version
  // "brain.Event:2") is written before the constructor returns.
  EventFileWriter(const std::string& log_dir, int64_t max_queue = 10, double flush_secs = 120,
                  const std::string& filename_suffix = "");
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // A scalar summary: Event{wall_time, step (if has_step), summary{value{tag, simple_value}}}.
  void add_scalar(std::string tag, float value, int64_t step, bool has_step, double wall_time);
  // A serialized Event, framed and written as it is.
  void add_event(std::string serialized_event);

  void flush();
  void close();  // flushes, stops the thread, closes the file; idempotent
  const std::string& log_dir() const { return log_dir_; }
  const std::string& path() const { return path_; }

  static constexpr size_t kHardLimit = 1 << 16;

 private:
  struct Scalar {
    std::string tag;
    float value;
    int64_t step;
    bool has_step;
    double wall_time;
  };
  using Item = std::variant<Scalar, std::string>;

  void enqueue(Item item);
  void run();
  void write_batch(std::vector<Item>& batch, std::string& buffer);

  std::string log_dir_, path_;
  int64_t max_queue_;
  double flush_secs_;

  std::mutex mutex_;
  std::condition_variable wake_writer_, batch_done_;
  std::vector<Item> pending_;
  uint64_t queued_ = 0, written_ = 0;  // events handed over / in the file
  bool flush_requested_ = false, closing_ = false, closed_ = false;
  std::exception_ptr error_;
  std::thread thread_;
  struct File;
  File* file_ = nullptr;  // owned; the protobuf-free header keeps the .pb.h out of users' builds
};

// Wall time now, in seconds since the epoch (Python's time.time()).
double wall_time_now();

}  // namespace ember::utils::tensorboard
