#pragma once
// Reads tests/data/data_golden.txt (written by tests/data_golden.py with PyTorch 1.13).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace data_golden {

inline const std::map<std::string, std::vector<double>>& all() {
  static const std::map<std::string, std::vector<double>> table = [] {
    std::map<std::string, std::vector<double>> t;
    std::ifstream in(std::string(EMBER_TEST_DATA_DIR) + "/data_golden.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto colon = line.find(": ");
      if (colon == std::string::npos) {
        auto c2 = line.find(':');  // an empty list
        if (c2 != std::string::npos) t[line.substr(0, c2)] = {};
        continue;
      }
      std::istringstream vals(line.substr(colon + 2));
      std::vector<double> v;
      for (double d; vals >> d;) v.push_back(d);
      t[line.substr(0, colon)] = std::move(v);
    }
    return t;
  }();
  return table;
}

inline const std::vector<double>& values(const std::string& key) {
  auto it = all().find(key);
  if (it == all().end()) {
    ADD_FAILURE() << "golden entry " << key << " missing; run /usr/bin/python3 tests/data_golden.py";
    static const std::vector<double> none;
    return none;
  }
  return it->second;
}

inline std::vector<size_t> indices(const std::string& key) {
  std::vector<size_t> out;
  for (double d : values(key)) out.push_back(static_cast<size_t>(d));
  return out;
}

// The golden tensor `key` (with its `key.shape`) as dtype.
inline ember::Tensor tensor(const std::string& key, ember::ScalarType dtype) {
  std::vector<int64_t> shape;
  for (double d : values(key + ".shape")) shape.push_back(static_cast<int64_t>(d));
  const std::vector<double>& v = values(key);
  ember::Tensor t = ember::tensor(v, ember::TensorOptions(ember::kFloat64));
  return t.view(shape).to(dtype);
}

}  // namespace data_golden
