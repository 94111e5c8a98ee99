#include "ember/utils/tensorboard/record_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "ember/core/error.h"
#include "ember/utils/tensorboard/crc32c.h"

namespace ember::utils::tensorboard {

static_assert(std::endian::native == std::endian::little, "event files are little-endian; add byte swaps");

void append_record(std::string& out, std::string_view payload) {
  char header[12];
  const uint64_t length = payload.size();
  std::memcpy(header, &length, 8);
  const uint32_t length_crc = masked_crc32c(header, 8);
  std::memcpy(header + 8, &length_crc, 4);
  const uint32_t payload_crc = masked_crc32c(payload.data(), payload.size());
  out.append(header, 12);
  out.append(payload);
  out.append(reinterpret_cast<const char*>(&payload_crc), 4);
}

std::string hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

std::string next_event_file_name(const std::string& log_dir, const std::string& filename_suffix) {
  static std::atomic<int64_t> counter{0};
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
  char head[64];
  std::snprintf(head, sizeof(head), "events.out.tfevents.%010lld.", static_cast<long long>(seconds));
  return log_dir + "/" + head + hostname() + "." + std::to_string(getpid()) + "." + std::to_string(counter++) +
         filename_suffix;
}

void make_dirs(const std::string& dir) {
  EMBER_CHECK(!dir.empty(), "SummaryWriter: the log directory name is empty");
  std::string path;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    path = dir.substr(0, pos);
    if (path.empty()) continue;
    if (mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) {
      EMBER_CHECK(false, "SummaryWriter: cannot create the log directory '", dir, "': ", std::strerror(errno),
                  " (at '", path, "')");
    }
  }
  struct stat st{};
  EMBER_CHECK(stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode), "SummaryWriter: cannot create the log directory '",
              dir, "': ", stat(dir.c_str(), &st) == 0 ? "a file of that name exists" : std::strerror(errno));
}

EventFile::EventFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  EMBER_CHECK(fd_ >= 0, "SummaryWriter: cannot create the event file '", path_, "': ", std::strerror(errno));
}

EventFile::~EventFile() {
  if (fd_ >= 0) ::close(fd_);
}

void EventFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    EMBER_CHECK(n > 0, "SummaryWriter: cannot write the event file '", path_, "': ", std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace ember::utils::tensorboard
