#pragma once
// Internal to printing: how one element becomes text. Mirrors _Formatter in PyTorch's
// torch/_tensor_str.py: the formatter looks at every element that will be shown once,
// picks a mode and a common width, and then pads each element to that width so
// columns line up.
#include <cstdint>
#include <string>
#include <vector>

#include "ember/ops/print.h"

namespace ember::detail {

// Python's "{:.<prec>f}" / "{:.<prec>e}" of a double: nan never carries a sign ("nan"),
// infinities are "inf" / "-inf", the exponent has at least two digits.
std::string format_fixed(double v, int64_t precision);
std::string format_sci(double v, int64_t precision);

// The kinds of element text: floating values, integers, and bools (True/False).
enum class ElementKind { Floating, Integer, Bool };

class ElementFormatter {
 public:
  // `floats` holds the shown elements of a floating tensor (as doubles); `ints` those of
  // an integer or bool tensor (bools as 0/1). Only the vector matching `kind` is read.
  ElementFormatter(ElementKind kind, const std::vector<double>& floats, const std::vector<int64_t>& ints,
                   const PrintOptions& opts);

  int64_t width() const { return max_width_; }
  // The element's text, left-padded with spaces to width().
  std::string format_float(double v) const;
  std::string format_int(int64_t v) const;

 private:
  std::string pad(std::string s) const;

  ElementKind kind_;
  int64_t precision_;
  bool int_mode_ = true;   // floats only: every finite value is a whole number -> "1."
  bool sci_mode_ = false;  // floats only: "1.0000e+10"
  int64_t max_width_ = 1;
};

}  // namespace ember::detail
