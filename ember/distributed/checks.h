#pragma once
// Argument checks every backend runs before queueing an op, so each transport reports bad
// input with the same (torch's) wording. Internal to ember/distributed.
#include <string>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/distributed/process_group.h"

namespace ember::distributed::detail {

// "float32[4, 5]"
std::string describe(const Tensor& t);
// "all_reduce(SUM) of float32[4, 5]"
std::string describe_op(const char* op, const Tensor& t, const char* extra = nullptr);

// Contiguous, defined, on the CPU.
void check_tensor(const char* op, const Tensor& t);
void check_tensors(const char* op, const std::vector<Tensor>& ts);
// Same dtype and shape as `like` ("Tensors must have the same type / size").
void check_same_like(const char* op, const Tensor& like, const std::vector<Tensor>& ts);
void check_same_like(const char* op, const Tensor& like, const Tensor& t);
// gather's and scatter's tensor list (`gather_list` / `scatter_list`): on the root rank
// (`root_role`: "destination" / "source") one tensor per rank shaped like `like`; elsewhere
// none, as torch requires.
void check_root_list(const char* op, const char* root_role, bool on_root, const Tensor& like,
                     const std::vector<Tensor>& list, int size);
// 0 <= r < size, else ValueError naming the op and the argument ("src", "dst", "root").
void check_rank(const char* op, const char* what, int r, int size);
// The op is defined for the dtype (torch: bitwise ops on integers and bool only, AVG not on
// integers or bool).
void check_reduce_op(const char* op, ReduceOp rop, ScalarType dtype);
// all_to_all's tensors all have one dtype (torch's "Invalid usage of tensors with different
// dtypes" TypeError).
void check_same_dtype(const std::vector<Tensor>& a, const std::vector<Tensor>& b);
// all_to_all_single's split sizes for a tensor of `dim0` rows: empty (dim0 must divide into
// `size` equal parts), or one non-negative size per rank summing to dim0. Returns the sizes.
std::vector<int64_t> check_split_sizes(const std::vector<int64_t>& splits, int64_t dim0, int size);
// numel fits an MPI count (int).
void check_count(const char* op, int64_t numel);

}  // namespace ember::distributed::detail
