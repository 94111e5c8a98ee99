#pragma once
// Test-side helpers shared by the tensorboard tests: a temporary directory, and the events of
// a file read back record by record with both CRCs checked.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <ember/utils/tensorboard/crc32c.h>
#include <ember/utils/tensorboard/tensorboard.pb.h>

namespace tb_test {

namespace fs = std::filesystem;
namespace tb = ember::utils::tensorboard;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("ember_tb_" + std::to_string(getpid()) + "_" +
                                        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  }
  ~TempDir() { fs::remove_all(path); }
};

// Reads every record of an event file, checking both CRCs.
inline std::vector<tb::Event> read_events(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<tb::Event> events;
  size_t pos = 0;
  while (pos < bytes.size()) {
    EXPECT_GE(bytes.size() - pos, 12u);
    uint64_t length;
    uint32_t crc;
    std::memcpy(&length, bytes.data() + pos, 8);
    std::memcpy(&crc, bytes.data() + pos + 8, 4);
    EXPECT_EQ(crc, tb::masked_crc32c(bytes.data() + pos, 8));
    EXPECT_LE(pos + 16 + length, bytes.size());
    std::memcpy(&crc, bytes.data() + pos + 12 + length, 4);
    EXPECT_EQ(crc, tb::masked_crc32c(bytes.data() + pos + 12, length));
    tb::Event e;
    EXPECT_TRUE(e.ParseFromArray(bytes.data() + pos + 12, static_cast<int>(length)));
    events.push_back(e);
    pos += 16 + length;
  }
  return events;
}

inline std::vector<fs::path> event_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find("tfevents") != std::string::npos) out.push_back(e.path());
  return out;
}

}  // namespace tb_test
