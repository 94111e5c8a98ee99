#pragma once
// Reader for the `KEY v1 v2 ...` golden files written by tests/*_golden.py (one record per
// line; values are %.17g numbers or plain tokens).
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember_test {

class GoldenFile {
 public:
  explicit GoldenFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string key, tok;
      if (!(ls >> key)) continue;
      std::vector<std::string>& toks = records_[key];
      while (ls >> tok) toks.push_back(tok);
    }
  }
  bool has(const std::string& key) const { return records_.count(key) > 0; }
  const std::vector<std::string>& tokens(const std::string& key) const {
    auto it = records_.find(key);
    if (it == records_.end()) throw std::runtime_error("golden key missing: " + key);
    return it->second;
  }
  std::vector<double> numbers(const std::string& key) const {
    std::vector<double> r;
    for (const std::string& t : tokens(key)) r.push_back(std::stod(t));
    return r;
  }
  const std::map<std::string, std::vector<std::string>>& records() const { return records_; }

 private:
  std::map<std::string, std::vector<std::string>> records_;
};

}  // namespace ember_test
