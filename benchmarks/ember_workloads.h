#pragma once
// ember's side of the reference workloads (see benchmarks/README.md for the table).
#include <functional>
#include <string>

namespace ember_bench {

void w1();  // per-op overhead of a + b
void w5();  // mm into a preallocated output
void w6();  // elementwise on 16M floats
// W7 (sums) needs the reductions branch: ember_w7_sum.cpp when EMBER_BENCH_REDUCTIONS is
// ON, otherwise ember_w7_stub.cpp, which only says so.
void w7();
// W4's convolution and pooling layers, forward and forward + backward (ember_w4_ops.cpp).
void w4ops();
// W3 MLP training step, W4 CNN training step, W8 MLP inference (ember_models.cpp).
void w2();
void w3();
void w4();
void w8();
std::function<void(long)> make_model_probe(const std::string& op);

// Probe loops for callgrind (bench::run_probes); empty function for an unknown op.
std::function<void(long)> make_probe(const std::string& op);

}  // namespace ember_bench
