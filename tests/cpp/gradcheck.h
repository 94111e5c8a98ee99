#pragma once
// Finite-difference gradient checks (torch.autograd.gradcheck / gradgradcheck) in float64.
#include <functional>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace ember::testing {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares the analytic Jacobian of sum(fn(inputs) * w) for a fixed random-ish weight w
// (a vector-Jacobian product) with central differences. Inputs must be float64 leaves
// that require grad; they may be non-contiguous views.
::testing::AssertionResult gradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                     double atol = 1e-5, double rtol = 1e-3);
// The same check applied to the gradient function itself (second derivatives).
::testing::AssertionResult gradgradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                                         double atol = 1e-4, double rtol = 1e-3);

}  // namespace ember::testing
