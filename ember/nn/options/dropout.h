#pragma once
// Options of the dropout modules and functions, with LibTorch's names and defaults.
#include "ember/core/arg.h"

namespace ember::nn {

// p: the probability of zeroing an element (a whole channel for Dropout2d).
struct DropoutOptions {
  /*implicit*/ DropoutOptions(double p = 0.5) : p_(p) {}
  EMBER_ARG(double, p);
  EMBER_ARG(bool, inplace) = false;
};
using Dropout2dOptions = DropoutOptions;
using AlphaDropoutOptions = DropoutOptions;

namespace functional {
struct DropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = true;
  EMBER_ARG(bool, inplace) = false;
};
using Dropout2dFuncOptions = DropoutFuncOptions;

// Alpha dropout is off (training false) unless asked for, as in LibTorch.
struct AlphaDropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = false;
  EMBER_ARG(bool, inplace) = false;
};
}  // namespace functional

}  // namespace ember::nn
