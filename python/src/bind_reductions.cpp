// The reduction table's rows (core/reduction_list.h) bound to Python: one binding per
// signature class, so a new row gets its function and method with torch's Python signature
// (Note [Reduction table] lists them) and no further code.
#include <pybind11/stl.h>

#include <cstring>

#include "ember/core/reduction_list.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"
#include "python/src/bind_common.h"
#include "python/src/gil.h"

namespace ember::python {

namespace {

using OptDims = std::optional<Dims>;
using OptDtype = std::optional<ScalarType>;

template <class F>
Tensor big(const Tensor& x, F f) {
  return without_gil_if_large(x.numel(), f);
}

// max(input, other) / min(input, other): torch's binary overload of the reductions.
Tensor binary_extreme(const char* name, const Tensor& x, const Tensor& other) {
  return std::strcmp(name, "max") == 0 ? maximum(x, other) : minimum(x, other);
}

// torch 1.13's std/var: std(dim=None, unbiased=True, keepdim=False, *, correction=None); a bool
// first argument is `unbiased`.
std::tuple<std::optional<Dims>, int64_t> correction_args(py::object dim, py::object unbiased,
                                                         std::optional<int64_t> correction) {
  OptDims dims;
  int64_t corr = 1;
  if (PyBool_Check(dim.ptr())) corr = dim.ptr() == Py_True ? 1 : 0;
  else if (!dim.is_none()) dims = py::cast<Dims>(dim);
  if (!unbiased.is_none()) corr = py::cast<bool>(unbiased) ? 1 : 0;
  if (correction) corr = *correction;
  return {dims, corr};
}

#define EMBER_PY_RED_OUT_OUT py::arg("out") = py::none()
#define EMBER_PY_RED_DIMS_KEEPDIM_DTYPE(name, out)                                                          \
  b.both(                                                                                                   \
      #name,                                                                                                \
      [](const Tensor& x, OptDims dim, bool keepdim, OptDtype dtype, std::optional<Tensor> o) {            \
        return write_out(o, big(x, [&] { return dim ? ember::name(x, dim->dims, keepdim, dtype) : ember::name(x, dtype); })); \
      },                                                                                                    \
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none(), \
      py::arg("out") = py::none());
#define EMBER_PY_RED_DIM_KEEPDIM_DTYPE(name, out)                                                           \
  b.both(                                                                                                   \
      #name,                                                                                                \
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim, OptDtype dtype, std::optional<Tensor> o) { \
        return write_out(o, big(x, [&] { return dim ? ember::name(x, *dim, keepdim, dtype) : ember::name(x, dtype); })); \
      },                                                                                                    \
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none(), \
      py::arg("out") = py::none());
#define EMBER_PY_RED_DIMS_KEEPDIM(name, out)                                                  \
  b.both(                                                                                     \
      #name,                                                                                  \
      [](const Tensor& x, OptDims dim, bool keepdim, std::optional<Tensor> o) {               \
        return write_out(o, big(x, [&] { return ember::name(x, dim ? IntArrayRef(dim->dims) : IntArrayRef(), keepdim); })); \
      },                                                                                      \
      py::arg("dim") = py::tuple(), py::arg("keepdim") = false, py::kw_only(), py::arg("out") = py::none());
#define EMBER_PY_RED_DIMS_REQUIRED(name, out)                                                 \
  b.both(                                                                                     \
      #name,                                                                                  \
      [](const Tensor& x, Dims dim, bool keepdim, std::optional<Tensor> o) {                  \
        return write_out(o, big(x, [&] { return ember::name(x, dim.dims, keepdim); }));       \
      },                                                                                      \
      py::arg("dim"), py::arg("keepdim") = false, py::kw_only(), py::arg("out") = py::none());
#define EMBER_PY_RED_VALUES_INDICES(name, out)                                                          \
  b.both(                                                                                               \
      #name,                                                                                            \
      [](const Tensor& x, py::object dim, bool keepdim) -> py::object {                                 \
        if (dim.is_none()) return py::cast(big(x, [&] { return ember::name(x); }));                     \
        if (is_tensor(dim.ptr())) return py::cast(binary_extreme(#name, x, unwrap(dim.ptr())));        \
        auto [v, i] = ember::name(x, py::cast<int64_t>(dim), keepdim);                                  \
        return named_pair(#name, v, i);                                                                 \
      },                                                                                                \
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
#define EMBER_PY_RED_OPTDIM_KEEPDIM(name, out)                                                                \
  b.both(#name, [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return ember::name(x, dim, keepdim); }, \
         py::arg("dim") = py::none(), py::arg("keepdim") = false);
#define EMBER_PY_RED_CORRECTION(name, out)                                                                        \
  b.both(                                                                                                         \
      #name,                                                                                                      \
      [](const Tensor& x, py::object dim, py::object unbiased, bool keepdim, std::optional<int64_t> correction) { \
        auto [dims, corr] = correction_args(dim, unbiased, correction);                                           \
        OptionalIntArrayRef d = dims ? OptionalIntArrayRef(IntArrayRef(dims->dims)) : std::nullopt;               \
        return ember::name(x, d, corr, keepdim);                                                                  \
      },                                                                                                          \
      py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),   \
      py::arg("correction") = py::none());
// torch.norm without dim reduces over every dim listed explicitly (NormBackward1).
#define EMBER_PY_RED_NORM(name, out)                                                                     \
  b.both(                                                                                                \
      #name,                                                                                             \
      [](const Tensor& x, py::object p, OptDims dim, bool keepdim, OptDtype dtype) {                     \
        Tensor in = dtype ? x.to(*dtype) : x;                                                            \
        DimVector dims;                                                                                  \
        if (dim) dims = dim->dims;                                                                       \
        else for (int64_t d = 0; d < in.dim(); ++d) dims.push_back(d);                                   \
        if (PyUnicode_Check(p.ptr())) return ember::name(in, py::cast<std::string>(p), dims, keepdim);   \
        return ember::name(in, p.is_none() ? Scalar(2.0) : py::cast<Scalar>(p), dims, keepdim);           \
      },                                                                                                 \
      py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false, py::arg("dtype") = py::none());
#define EMBER_PY_RED_LOGICAL(name, out)                                                             \
  b.both(                                                                                           \
      #name,                                                                                        \
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) {                               \
        return dim ? ember::name(x, *dim, keepdim) : ember::name(x);                                \
      },                                                                                            \
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
#define EMBER_PY_RED_COUNT(name, out)                                                                         \
  b.both(#name, [](const Tensor& x, OptDims dim) { return ember::name(x, dim ? IntArrayRef(dim->dims) : IntArrayRef()); }, \
         py::arg("dim") = py::none());
#define EMBER_PY_RED_SCAN(name, out)                                                                      \
  b.both(                                                                                                 \
      #name,                                                                                              \
      [](const Tensor& x, int64_t dim, OptDtype dtype, std::optional<Tensor> o) {                         \
        return write_out(o, big(x, [&] { return ember::name(x, dim, dtype); }));                          \
      },                                                                                                  \
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("out") = py::none());

}  // namespace

void init_reductions(py::module_& m) {
  Binder b(m);
#define EMBER_X(name, sig, rule, out, ...) EMBER_PY_RED_##sig(name, out)
  EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
}

}  // namespace ember::python
