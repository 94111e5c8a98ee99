#include "ember/distributed/checks.h"

#include <climits>
#include <sstream>

namespace ember::distributed::detail {

std::string describe(const Tensor& t) {
  if (!t.defined()) return "undefined tensor";
  std::ostringstream os;
  os << dtype_name(t.dtype()) << "[";
  for (int64_t d = 0; d < t.dim(); ++d) os << (d ? ", " : "") << t.sizes()[d];
  os << "]";
  return os.str();
}

std::string describe_op(const char* op, const Tensor& t, const char* extra) {
  std::string s = op;
  if (extra) s += std::string("(") + extra + ")";
  if (t.defined()) s += " of " + describe(t);
  return s;
}

void check_tensor(const char* op, const Tensor& t) {
  EMBER_CHECK_VALUE(t.defined(), op, ": expected a defined tensor");
  EMBER_CHECK(t.is_cpu(), op, ": the MPI backend takes CPU tensors, got a tensor on ", t.device());
  EMBER_CHECK(t.is_contiguous(), "Tensors must be contiguous");
}

void check_tensors(const char* op, const std::vector<Tensor>& ts) {
  for (const Tensor& t : ts) check_tensor(op, t);
}

void check_same_like(const char* op, const Tensor& like, const Tensor& t) {
  EMBER_CHECK_TYPE(t.dtype() == like.dtype(), op, ": Tensors must have the same type, got ",
                   dtype_name(t.dtype()), " and ", dtype_name(like.dtype()));
  EMBER_CHECK_VALUE(t.sizes() == like.sizes(), op, ": Tensors must have the same size, got ", describe(t),
                    " and ", describe(like));
}

void check_same_like(const char* op, const Tensor& like, const std::vector<Tensor>& ts) {
  for (const Tensor& t : ts) check_same_like(op, like, t);
}

void check_root_list(const char* op, const char* root_role, bool on_root, const Tensor& like,
                     const std::vector<Tensor>& list, int size) {
  if (!on_root) {
    EMBER_CHECK_VALUE(list.empty(), "Argument ``", op, "_list`` must NOT be specified on non-", root_role,
                      " ranks.");
    return;
  }
  check_tensors(op, list);
  EMBER_CHECK_VALUE(static_cast<int>(list.size()) == size, op, ": the ", op, "_list has ", list.size(),
                    " tensors, but the group has ", size, " ranks (one per rank on the ", root_role, ")");
  check_same_like(op, like, list);
}

void check_rank(const char* op, const char* what, int r, int size) {
  EMBER_CHECK_VALUE(r >= 0 && r < size, op, ": invalid ", what, " rank ", r, " (the group has ", size,
                    " rank", size == 1 ? "" : "s", ": 0..", size - 1, ")");
}

void check_reduce_op(const char* op, ReduceOp rop, ScalarType dtype) {
  const bool bitwise = rop == ReduceOp::BAND || rop == ReduceOp::BOR || rop == ReduceOp::BXOR;
  EMBER_CHECK(!bitwise || is_integral(dtype, /*include_bool=*/true), "Cannot use ReduceOp.",
              reduce_op_name(rop), " with non-integral dtype ", dtype_name(dtype));
  EMBER_CHECK(rop != ReduceOp::AVG || is_floating_point(dtype), "Cannot use ReduceOp.AVG with ",
              dtype_name(dtype), " tensors: the average of integers or bools is not one of them (",
              op, "); use ReduceOp.SUM and divide");
}

void check_same_dtype(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  const Tensor* first = nullptr;
  for (const auto* list : {&a, &b})
    for (const Tensor& t : *list) {
      if (!first) first = &t;
      EMBER_CHECK(t.dtype() == first->dtype(), "Invalid usage of tensors with different dtypesFound ",
                  dtype_name(first->dtype()), " and  ", dtype_name(t.dtype()));
    }
}

std::vector<int64_t> check_split_sizes(const std::vector<int64_t>& splits, int64_t dim0, int size) {
  if (splits.empty()) {
    EMBER_CHECK(dim0 % size == 0, "Tensor's dim 0 does not divide equally across group size");
    return std::vector<int64_t>(static_cast<size_t>(size), dim0 / size);
  }
  EMBER_CHECK(static_cast<int>(splits.size()) == size, "Number of tensor splits not equal to group size");
  int64_t sum = 0;
  for (int64_t s : splits) {
    EMBER_CHECK_VALUE(s >= 0, "all_to_all_single: split sizes must be non-negative, got ", s);
    sum += s;
  }
  EMBER_CHECK(sum == dim0, "Split sizes doesn't match total dim 0 size");
  return splits;
}

void check_count(const char* op, int64_t numel) {
  EMBER_CHECK(numel <= INT_MAX, op, ": tensors of more than ", INT_MAX,
              " elements are not supported by the MPI backend, got ", numel);
}

}  // namespace ember::distributed::detail
