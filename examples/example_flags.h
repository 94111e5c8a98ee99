#pragma once
// `--name value` flags for the example programs (the tests run them with reduced sizes).
//
//   ExampleFlags flags(argc, argv);
//   int64_t epochs = flags.get("epochs", 100);
//   double lr = flags.get("lr", 0.1);
//   flags.done();   // unknown flags are an error
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

class ExampleFlags {
 public:
  ExampleFlags(int argc, char** argv) : program_(argv[0]) {
    for (int i = 1; i < argc; ++i) {
      std::string key = argv[i];
      if (key.rfind("--", 0) != 0 || i + 1 >= argc) fail("expected --name value, got '" + key + "'");
      values_[key.substr(2)] = argv[++i];
    }
  }
  int64_t get(const std::string& name, int64_t fallback) { return take(name, fallback, [](const std::string& s) { return std::stoll(s); }); }
  int get(const std::string& name, int fallback) { return static_cast<int>(get(name, static_cast<int64_t>(fallback))); }
  double get(const std::string& name, double fallback) { return take(name, fallback, [](const std::string& s) { return std::stod(s); }); }
  std::string get(const std::string& name, const char* fallback) {
    return take(name, std::string(fallback), [](const std::string& s) { return s; });
  }
  // Every flag given must have been asked for.
  void done() const {
    if (!values_.empty()) fail("unknown flag --" + values_.begin()->first);
  }

 private:
  template <class T, class Parse>
  T take(const std::string& name, T fallback, Parse parse) {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    T value;
    try {
      value = parse(it->second);
    } catch (const std::exception&) {
      fail("bad value '" + it->second + "' for --" + name);
    }
    values_.erase(it);
    return value;
  }
  [[noreturn]] void fail(const std::string& message) const {
    std::fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
    std::exit(2);
  }

  std::string program_;
  std::map<std::string, std::string> values_;
};
