#pragma once
// TFRecord framing and the event file itself (../shared/reference/formats-rng.md 3.1-3.2).
//
// Note [Whole records on disk]: a record reaches the file only as part of one write(2) of
// complete records (EventFile::write), never through a stdio buffer that could be flushed
// half-way. So a process that dies (a crash, SIGKILL) leaves a file whose records are all
// complete, up to the last batch the writer thread handed to the kernel; the readers still
// skip a truncated tail, for files that other writers left behind.
#include <cstdint>
#include <string>
#include <string_view>

namespace ember::utils::tensorboard {

// Appends one framed record: uint64 length, masked CRC32C of the length, payload, masked
// CRC32C of the payload (all little-endian).
void append_record(std::string& out, std::string_view payload);

// The process-wide name of the next event file in `log_dir`:
// events.out.tfevents.<10-digit seconds>.<hostname>.<pid>.<n><suffix>, n counting from 0
// per process, as TensorBoard's writer names them.
std::string next_event_file_name(const std::string& log_dir, const std::string& filename_suffix);

// The host name as Python's socket.gethostname() gives it.
std::string hostname();

// Creates `dir` and its parents (os.makedirs(dir, exist_ok=True)); throws ember::Error with
// the system's reason when it cannot.
void make_dirs(const std::string& dir);

// An event file opened for appending. Not thread-safe: the writer thread owns it.
class EventFile {
 public:
  explicit EventFile(std::string path);
  ~EventFile();
  EventFile(const EventFile&) = delete;
  EventFile& operator=(const EventFile&) = delete;

  // Writes `bytes` (complete records) with as few write(2) calls as the kernel allows.
  void write(std::string_view bytes);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace ember::utils::tensorboard
