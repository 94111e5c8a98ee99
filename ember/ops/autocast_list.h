#pragma once
// The autocast policy table: the one list of which ember ops autocast changes, and how.
//
// Note [Autocast policy table]
// One row per op front end that autocast touches: X(name, policy). The policy is PyTorch
// 1.13's CPU policy (aten/src/ATen/autocast_mode.cpp, AutocastCPU; checked op by op against
// the installed torch 1.13 by tests/python/test_amp.py, which calls every row under
// torch.autocast("cpu") and ember.autocast("cpu") and compares the output dtypes):
//   lower_precision_fp  floating inputs (not float64) are cast to the autocast dtype
//                       (bfloat16 on the CPU) and the op runs in it;
//   fp32                floating inputs (not float64) are cast to float32;
//   promote             floating inputs are cast to the widest floating type among them
//                       (float32 if any is float32, else the autocast dtype; float64 ignored).
// Ops not in the table run as they are and pay nothing: their front ends never look at the
// autocast state. A row's op calls `EMBER_AUTOCAST(name, args...)` as the first statement
// of its front end (ember/ops/autocast.h); inside the call autocast is off, so ops it calls
// in turn are not cast again (PyTorch's wrapper excludes its dispatch key the same way).
//
// Rows whose front end is a mode of a wider function: reflection_pad and replication_pad are
// F::pad with mode reflect / replicate (constant and circular padding are not in the lists).
// cross_entropy is torch's cross_entropy_loss; nll_loss covers nll_loss2d.
//
// torch 1.13 lists more ops than ember has (conv3d, conv_tbc, addbmm, avg_pool3d, max_pool3d,
// cdist, the linalg and fft families, ...); docs/amp.md names them. A row is added with the op.
// Not in torch 1.13's CPU lists, so not here: cat (in the CUDA list only), prelu, mv, dot,
// addmv, outer, softmax, log_softmax, the norms and every elementwise op.
#define EMBER_AUTOCAST_OPS(X)                  \
  /* lower_precision_fp */                     \
  X(conv1d, lower_precision_fp)                \
  X(conv2d, lower_precision_fp)                \
  X(bmm, lower_precision_fp)                   \
  X(mm, lower_precision_fp)                    \
  X(baddbmm, lower_precision_fp)               \
  X(addmm, lower_precision_fp)                 \
  X(linear, lower_precision_fp)                \
  X(matmul, lower_precision_fp)                \
  /* fp32 */                                   \
  X(conv_transpose1d, fp32)                    \
  X(conv_transpose2d, fp32)                    \
  X(prod, fp32)                                \
  X(reflection_pad, fp32)                      \
  X(replication_pad, fp32)                     \
  X(mse_loss, fp32)                            \
  X(l1_loss, fp32)                             \
  X(smooth_l1_loss, fp32)                      \
  X(huber_loss, fp32)                          \
  X(nll_loss, fp32)                            \
  X(cross_entropy, fp32)                       \
  X(binary_cross_entropy, fp32)                \
  X(binary_cross_entropy_with_logits, fp32)    \
  X(kl_div, fp32)                              \
  X(margin_ranking_loss, fp32)                 \
  X(cosine_embedding_loss, fp32)               \
  /* promote */                                \
  X(stack, promote)
