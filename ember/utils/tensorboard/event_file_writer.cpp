#include "ember/utils/tensorboard/event_file_writer.h"

#include <chrono>
#include <cstdio>

#include "ember/core/error.h"
#include "ember/utils/tensorboard/record_writer.h"
#include "ember/utils/tensorboard/tensorboard.pb.h"

namespace ember::utils::tensorboard {

double wall_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct EventFileWriter::File {
  explicit File(std::string path) : file(std::move(path)) {}
  EventFile file;
  Event scratch;  // reused for every scalar: no allocation per record once warm
};

EventFileWriter::EventFileWriter(const std::string& log_dir, int64_t max_queue, double flush_secs,
                                 const std::string& filename_suffix)
    : log_dir_(log_dir), max_queue_(max_queue < 1 ? 1 : max_queue), flush_secs_(flush_secs) {
  make_dirs(log_dir_);
  path_ = next_event_file_name(log_dir_, filename_suffix);
  file_ = new File(path_);
  Event first;
  first.set_wall_time(wall_time_now());
  first.set_file_version("brain.Event:2");
  std::string record;
  append_record(record, first.SerializeAsString());
  try {
    file_->file.write(record);
  } catch (...) {
    delete file_;
    throw;
  }
  thread_ = std::thread([this] { run(); });
}

EventFileWriter::~EventFileWriter() {
  try {
    close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "SummaryWriter: %s\n", e.what());  // a destructor must not throw
  }
}

void EventFileWriter::enqueue(Item item) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) throw Error("SummaryWriter: the event file " + path_ + " was closed");
  if (pending_.size() >= kHardLimit) {
    wake_writer_.notify_one();
    batch_done_.wait(lock, [&] { return pending_.size() < kHardLimit || closed_; });
  }
  pending_.push_back(std::move(item));
  ++queued_;
  if (static_cast<int64_t>(pending_.size()) >= max_queue_) wake_writer_.notify_one();
}

void EventFileWriter::add_scalar(std::string tag, float value, int64_t step, bool has_step, double wall_time) {
  enqueue(Scalar{std::move(tag), value, step, has_step, wall_time});
}

void EventFileWriter::add_event(std::string serialized_event) { enqueue(std::move(serialized_event)); }

void EventFileWriter::write_batch(std::vector<Item>& batch, std::string& buffer) {
  buffer.clear();
  std::string payload;
  for (auto& item : batch) {
    if (auto* s = std::get_if<Scalar>(&item)) {
      Event& e = file_->scratch;
      e.Clear();
      e.set_wall_time(s->wall_time);
      if (s->has_step) e.set_step(s->step);
      auto* v = e.mutable_summary()->add_value();
      v->set_tag(std::move(s->tag));
      v->set_simple_value(s->value);
      payload.clear();
      e.SerializeToString(&payload);
      append_record(buffer, payload);
    } else {
      append_record(buffer, std::get<std::string>(item));
    }
  }
  if (!buffer.empty()) file_->file.write(buffer);
}

void EventFileWriter::run() {
  std::vector<Item> batch;
  std::string buffer;
  std::unique_lock<std::mutex> lock(mutex_);
  auto next_flush = std::chrono::steady_clock::now() + std::chrono::duration<double>(flush_secs_);
  for (;;) {
    wake_writer_.wait_until(lock, next_flush, [&] {
      return closing_ || flush_requested_ || static_cast<int64_t>(pending_.size()) >= max_queue_;
    });
    if (std::chrono::steady_clock::now() >= next_flush)
      next_flush = std::chrono::steady_clock::now() + std::chrono::duration<double>(flush_secs_);
    flush_requested_ = false;
    batch.swap(pending_);
    const uint64_t upto = written_ + batch.size();
    const bool stop = closing_;
    batch_done_.notify_all();  // callers waiting for room
    lock.unlock();
    try {
      write_batch(batch, buffer);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      lock.unlock();
    }
    batch.clear();
    lock.lock();
    written_ = upto;
    batch_done_.notify_all();
    if (stop && pending_.empty()) return;
  }
}

void EventFileWriter::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) return;
  const uint64_t target = queued_;
  flush_requested_ = true;
  wake_writer_.notify_one();
  batch_done_.wait(lock, [&] { return written_ >= target; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void EventFileWriter::close() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (closed_) return;
    closing_ = true;
    wake_writer_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    closed_ = true;
    error = std::exchange(error_, nullptr);
    batch_done_.notify_all();
  }
  delete file_;
  file_ = nullptr;
  if (error) std::rethrow_exception(error);
}

}  // namespace ember::utils::tensorboard
