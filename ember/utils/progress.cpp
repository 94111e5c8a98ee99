#include "ember/utils/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace ember::utils {

namespace {
std::string format_time(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  int64_t t = static_cast<int64_t>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(t / 3600), (long long)(t / 60 % 60), (long long)(t % 60));
  else std::snprintf(buf, sizeof buf, "%02lld:%02lld", (long long)(t / 60), (long long)(t % 60));
  return buf;
}
}  // namespace

ProgressBar::ProgressBar(int64_t total, std::string desc, std::FILE* out)
    : total_(total), desc_(std::move(desc)), out_(out), tty_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  if (tty_) render(false);
}

ProgressBar::~ProgressBar() { close(); }

void ProgressBar::update(int64_t n) {
  count_ += n;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since >= 0.1) || (!tty_ && since >= plain_every)) render(false);
}

void ProgressBar::set_postfix(std::string postfix) { postfix_ = std::move(postfix); }

void ProgressBar::close() {
  if (closed_) return;
  closed_ = true;
  render(true);
}

std::string ProgressBar::line(bool final) const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? count_ / elapsed : 0;
  std::string s = desc_.empty() ? "" : desc_ + ": ";
  char buf[160];
  if (total_ > 0) {
    double frac = std::min(1.0, static_cast<double>(count_) / total_);
    const int width = 25;
    int filled = static_cast<int>(frac * width);
    std::snprintf(buf, sizeof buf, "%3d%%|", static_cast<int>(frac * 100));
    s += buf;
    s += std::string(filled, '#') + std::string(width - filled, ' ') + "| ";
    double eta = rate > 0 ? (total_ - count_) / rate : NAN;
    std::snprintf(buf, sizeof buf, "%lld/%lld [%s<%s, %.1fit/s]", (long long)count_, (long long)total_,
                  format_time(elapsed).c_str(), format_time(final ? 0 : eta).c_str(), rate);
  } else {
    std::snprintf(buf, sizeof buf, "%lld [%s, %.1fit/s]", (long long)count_, format_time(elapsed).c_str(), rate);
  }
  s += buf;
  if (!postfix_.empty()) s += " " + postfix_;
  return s;
}

void ProgressBar::render(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  std::string l = line(final);
  if (tty_) std::fprintf(out_, "\r%s\033[K%s", l.c_str(), final ? "\n" : "");
  else std::fprintf(out_, "%s\n", l.c_str());
  std::fflush(out_);
}

}  // namespace ember::utils
