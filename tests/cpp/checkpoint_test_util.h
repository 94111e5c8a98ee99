#pragma once
// What the checkpoint tests (test_safetensors.cpp, test_serialization.cpp) share: a
// per-test temporary directory, reading a file whole, and the interop recipe's tensors
// (the same formula as RECIPE in tests/safetensors_interop.py and tests/pt_interop.py; each
// test keeps its own list of recipe items, in sync with its Python script).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace ember::checkpoint_test {

// A fresh directory named after the prefix, the process and the running test; removed with
// everything in it at the end of the test.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix) {
    path = std::filesystem::temp_directory_path() /
           (prefix + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str(const std::string& name) const { return (path / name).string(); }
  // The names of the files in the directory, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> r;
    for (const auto& e : std::filesystem::directory_iterator(path)) r.push_back(e.path().filename().string());
    std::sort(r.begin(), r.end());
    return r;
  }
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One tensor of the recipe: float -> (arange - a) * b in float64, int -> arange * a + b in
// int64, bool -> arange % a == 0, then cast to dtype and shaped.
struct RecipeItem {
  const char* name;
  ScalarType dtype;
  std::vector<int64_t> shape;
  char kind;  // 'b', 'i', 'f'
  double a, b;
};

inline Tensor make(ScalarType dtype, const std::vector<int64_t>& shape, char kind, double a, double b) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  Tensor t;
  if (kind == 'b') t = arange(n, kInt64).remainder(static_cast<int64_t>(a)).eq(0);
  else if (kind == 'i') t = (arange(n, kInt64) * static_cast<int64_t>(a) + static_cast<int64_t>(b)).to(dtype);
  else t = ((arange(n, kFloat64) - a) * b).to(dtype);
  return t.reshape(shape);
}

}  // namespace ember::checkpoint_test
