// Element formatting for tensor printing (see print_format.h): the choice between integer,
// fixed and scientific notation and the common column width, as PyTorch's _Formatter.
#include "ember/ops/print_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ember::detail {

namespace {

// Python formats non-finite floats without printf's sign on NaN ("-nan").
bool format_non_finite(double v, std::string& out) {
  if (std::isnan(v)) {
    out = "nan";
    return true;
  }
  if (std::isinf(v)) {
    out = v < 0 ? "-inf" : "inf";
    return true;
  }
  return false;
}

// printf of one double with a runtime precision. glibc rounds the exact binary value
// correctly (ties to even), which is what Python's float formatting does too.
std::string printf_double(bool sci, double v, int64_t precision) {
  const int prec = static_cast<int>(precision);
  int n = sci ? std::snprintf(nullptr, 0, "%.*e", prec, v) : std::snprintf(nullptr, 0, "%.*f", prec, v);
  std::string s(static_cast<size_t>(n) + 1, '\0');
  if (sci) std::snprintf(s.data(), s.size(), "%.*e", prec, v);
  else std::snprintf(s.data(), s.size(), "%.*f", prec, v);
  s.resize(static_cast<size_t>(n));
  return s;
}

int64_t len(const std::string& s) { return static_cast<int64_t>(s.size()); }

}  // namespace

std::string format_fixed(double v, int64_t precision) {
  std::string s;
  if (format_non_finite(v, s)) return s;
  return printf_double(false, v, precision);
}

std::string format_sci(double v, int64_t precision) {
  std::string s;
  if (format_non_finite(v, s)) return s;
  return printf_double(true, v, precision);
}

ElementFormatter::ElementFormatter(ElementKind kind, const std::vector<double>& floats,
                                   const std::vector<int64_t>& ints, const PrintOptions& opts)
    : kind_(kind), precision_(opts.precision) {
  if (kind == ElementKind::Integer) {
    for (int64_t v : ints) max_width_ = std::max(max_width_, len(std::to_string(v)));
    return;
  }
  if (kind == ElementKind::Bool) {
    for (int64_t v : ints) max_width_ = std::max<int64_t>(max_width_, v ? 4 : 5);
    return;
  }

  // Only non-zero finite values decide the mode: zeros, nan and inf fit any of them.
  std::vector<double> vals;
  vals.reserve(floats.size());
  for (double v : floats)
    if (std::isfinite(v) && v != 0) vals.push_back(v);
  // PyTorch returns here before applying the sci_mode option, so a tensor of only zeros
  // and non-finite values always prints as "0.", "nan", "inf".
  if (vals.empty()) return;

  double abs_min = std::abs(vals[0]), abs_max = abs_min;
  for (double v : vals) {
    abs_min = std::min(abs_min, std::abs(v));
    abs_max = std::max(abs_max, std::abs(v));
  }
  for (double v : vals) {
    if (v != std::ceil(v)) {
      int_mode_ = false;
      break;
    }
  }
  const bool wide_range = abs_max / abs_min > 1000.0 || abs_max > 1.0e8;
  // Whole numbers never need sci mode for being small, fractions below 1e-4 do.
  sci_mode_ = int_mode_ ? wide_range : (wide_range || abs_min < 1.0e-4);
  for (double v : vals) {
    int64_t w;
    if (sci_mode_) w = len(format_sci(v, precision_));
    else if (int_mode_) w = len(format_fixed(v, 0)) + 1;  // + the trailing "."
    else w = len(format_fixed(v, precision_));
    max_width_ = std::max(max_width_, w);
  }
  // The option overrides the mode but not the width measured above (as in PyTorch).
  if (opts.sci_mode) sci_mode_ = *opts.sci_mode;
}

std::string ElementFormatter::pad(std::string s) const {
  if (len(s) < max_width_) s.insert(0, static_cast<size_t>(max_width_ - len(s)), ' ');
  return s;
}

std::string ElementFormatter::format_float(double v) const {
  if (sci_mode_) return pad(format_sci(v, precision_));
  if (int_mode_) {
    std::string s = format_fixed(v, 0);
    // The "." marks a floating tensor; nan and inf already say so.
    if (std::isfinite(v)) s += '.';
    return pad(std::move(s));
  }
  return pad(format_fixed(v, precision_));
}

std::string ElementFormatter::format_int(int64_t v) const {
  if (kind_ == ElementKind::Bool) return pad(v ? "True" : "False");
  return pad(std::to_string(v));
}

}  // namespace ember::detail
