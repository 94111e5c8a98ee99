#pragma once
// A tqdm-like progress bar for C++ loops: count/total, rate, elapsed, ETA and a live
// postfix (loss, accuracy). On a terminal it redraws one line in place; otherwise (a log
// file, CI) it prints a plain line every `plain_every` seconds and at the end.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ember::utils {

class ProgressBar {
 public:
  ProgressBar(int64_t total, std::string desc = "", std::FILE* out = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(int64_t n = 1);
  // Text after the counters, e.g. "loss=0.4321 acc=0.871".
  void set_postfix(std::string postfix);
  // Finishes the line (called by the destructor if not before).
  void close();

  double plain_every = 10.0;  // seconds between lines when not on a terminal

 private:
  void render(bool final);
  std::string line(bool final) const;

  int64_t total_, count_ = 0;
  std::string desc_, postfix_;
  std::FILE* out_;
  bool tty_, closed_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ember::utils
