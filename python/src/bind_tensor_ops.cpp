// Functions and Tensor methods that are not table rows yet: binary math with its extra
// arguments, reductions (until the reduction table lands), shape and view ops, linear
// algebra, indexing functions, conversions. Each is one C++ callable bound as
// ember.name(input, ...) and/or t.name(...) through Binder, with torch's keyword names.
#include <pybind11/stl.h>

#include "ember/ops/elementwise.h"
#include "ember/ops/index.h"
#include "ember/ops/linalg.h"
#include "ember/ops/reduce.h"
#include "ember/ops/indexing.h"
#include "ember/ops/shape.h"
#include "ember/ops/type_promotion.h"
#include "python/src/bind_common.h"
#include "python/src/gil.h"

namespace ember::python {

namespace {

using OptDtype = std::optional<ScalarType>;
using OptTensor = std::optional<Tensor>;


void bind_binary(Binder& b) {
  b.both(
      "add",
      [](const Tensor& x, py::handle other, const Scalar& alpha, OptTensor out) {
        Tensor r = tensor_or_scalar(
            other, "add", [&](const Tensor& y) { return add(x, y, alpha); },
            [&](const Scalar& s) { return add(x, s, alpha); });
        return write_out(out, r);
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1, py::arg("out") = py::none());
  b.both(
      "sub",
      [](const Tensor& x, py::handle other, const Scalar& alpha, OptTensor out) {
        Tensor r = tensor_or_scalar(
            other, "sub", [&](const Tensor& y) { return sub(x, y, alpha); },
            [&](const Scalar& s) { return sub(x, s, alpha); });
        return write_out(out, r);
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1, py::arg("out") = py::none());
  b.both(
      "rsub",
      [](const Tensor& x, py::handle other, const Scalar& alpha) {
        return tensor_or_scalar(
            other, "rsub", [&](const Tensor& y) { return rsub(x, y, alpha); },
            [&](const Scalar& s) { return rsub(x, s, alpha); });
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  b.method(
      "add_",
      [](Tensor& x, py::handle other, const Scalar& alpha) -> Tensor {
        Scalar s;
        if (is_tensor(other.ptr())) return x.add_(unwrap(other.ptr()), alpha);
        if (to_scalar(other.ptr(), &s)) return x.add_(s, alpha);
        throw ember::TypeError("add_(): argument 'other' must be Tensor or Number");
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  b.method(
      "sub_",
      [](Tensor& x, py::handle other, const Scalar& alpha) -> Tensor {
        Scalar s;
        if (is_tensor(other.ptr())) return x.sub_(unwrap(other.ptr()), alpha);
        if (to_scalar(other.ptr(), &s)) return x.sub_(s, alpha);
        throw ember::TypeError("sub_(): argument 'other' must be Tensor or Number");
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  for (const char* name : {"div", "divide", "true_divide"}) {
    b.both(
        name,
        [](const Tensor& x, py::handle other, std::optional<std::string> rounding_mode, OptTensor out) {
          Tensor r = tensor_or_scalar(
              other, "div", [&](const Tensor& y) { return div(x, y, rounding_mode); },
              [&](const Scalar& s) { return div(x, s, rounding_mode); });
          return write_out(out, r);
        },
        py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none(), py::arg("out") = py::none());
  }
  b.method(
      "div_",
      [](Tensor& x, py::handle other, std::optional<std::string> rounding_mode) -> Tensor {
        Scalar s;
        if (is_tensor(other.ptr())) return x.div_(unwrap(other.ptr()), rounding_mode);
        if (to_scalar(other.ptr(), &s)) return x.div_(s, rounding_mode);
        throw ember::TypeError("div_(): argument 'other' must be Tensor or Number");
      },
      py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
  b.both("floor_divide", [](const Tensor& x, py::handle other) {
    return tensor_or_scalar(
        other, "floor_divide", [&](const Tensor& y) { return floor_divide(x, y); },
        [&](const Scalar& s) { return floor_divide(x, s); });
  }, py::arg("other"));
  b.both(
      "pow",
      [](const Tensor& x, py::handle exponent, OptTensor out) {
        Tensor r = tensor_or_scalar(
            exponent, "pow", [&](const Tensor& y) { return pow(x, y); }, [&](const Scalar& s) { return pow(x, s); });
        return write_out(out, r);
      },
      py::arg("exponent"), py::kw_only(), py::arg("out") = py::none());
  b.method("pow_", [](Tensor& x, py::handle e) -> Tensor {
    Scalar s;
    if (is_tensor(e.ptr())) return x.pow_(unwrap(e.ptr()));
    if (to_scalar(e.ptr(), &s)) return x.pow_(s);
    throw ember::TypeError("pow_(): argument 'exponent' must be Tensor or Number");
  }, py::arg("exponent"));

  // Tensor-or-number binary functions with one signature: name(input, other, *, out=None).
#define EMBER_PY_BINARY(name)                                                                          \
  b.both(                                                                                              \
      #name,                                                                                           \
      [](const Tensor& x, py::handle other, OptTensor out) {                                           \
        Tensor r = tensor_or_scalar(                                                                   \
            other, #name, [&](const Tensor& y) { return ember::name(x, y); },                          \
            [&](const Scalar& s) { return ember::name(x, s); });                                       \
        return write_out(out, r);                                                                      \
      },                                                                                               \
      py::arg("other"), py::kw_only(), py::arg("out") = py::none());
  EMBER_PY_BINARY(mul)
  EMBER_PY_BINARY(remainder)
  EMBER_PY_BINARY(fmod)
  EMBER_PY_BINARY(eq)
  EMBER_PY_BINARY(ne)
  EMBER_PY_BINARY(lt)
  EMBER_PY_BINARY(le)
  EMBER_PY_BINARY(gt)
  EMBER_PY_BINARY(ge)
  EMBER_PY_BINARY(logical_and)
  EMBER_PY_BINARY(logical_or)
  EMBER_PY_BINARY(logical_xor)
  EMBER_PY_BINARY(bitwise_and)
  EMBER_PY_BINARY(bitwise_or)
  EMBER_PY_BINARY(bitwise_xor)
#undef EMBER_PY_BINARY
  b.both("multiply", [](const Tensor& x, py::handle other) {
    return tensor_or_scalar(
        other, "mul", [&](const Tensor& y) { return mul(x, y); }, [&](const Scalar& s) { return mul(x, s); });
  }, py::arg("other"));
  b.method("mul_", [](Tensor& x, py::handle other) -> Tensor {
    Scalar s;
    if (is_tensor(other.ptr())) return x.mul_(unwrap(other.ptr()));
    if (to_scalar(other.ptr(), &s)) return x.mul_(s);
    throw ember::TypeError("mul_(): argument 'other' must be Tensor or Number");
  }, py::arg("other"));
  b.both("maximum", [](const Tensor& x, const Tensor& o) { return maximum(x, o); }, py::arg("other"));
  b.both("minimum", [](const Tensor& x, const Tensor& o) { return minimum(x, o); }, py::arg("other"));
  b.both("atan2", [](const Tensor& x, const Tensor& o) { return atan2(x, o); }, py::arg("other"));
  b.both(
      "clamp",
      [](const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) { return clamp(x, min, max); },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  b.both(
      "clip",
      [](const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) { return clamp(x, min, max); },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  b.method(
      "clamp_",
      [](Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) -> Tensor { return x.clamp_(min, max); },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  b.module().def(
      "where",
      [](const Tensor& cond, py::handle a, py::handle b2) {
        Scalar sa, sb;
        bool ta = is_tensor(a.ptr()), tb = is_tensor(b2.ptr());
        if (ta && tb) return where(cond, unwrap(a.ptr()), unwrap(b2.ptr()));
        if (ta && to_scalar(b2.ptr(), &sb)) return where(cond, unwrap(a.ptr()), sb);
        if (tb && to_scalar(a.ptr(), &sa)) return where(cond, sa, unwrap(b2.ptr()));
        if (to_scalar(a.ptr(), &sa) && to_scalar(b2.ptr(), &sb)) return where(cond, sa, sb);
        throw ember::TypeError("where(): expected Tensors or numbers for input and other");
      },
      py::arg("condition"), py::arg("input"), py::arg("other"));
  b.method("where", [](const Tensor& x, const Tensor& cond, const Tensor& other) { return where(cond, x, other); },
           py::arg("condition"), py::arg("other"));
  b.both(
      "isclose",
      [](const Tensor& x, const Tensor& o, double rtol, double atol, bool equal_nan) {
        return isclose(x, o, rtol, atol, equal_nan);
      },
      py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false);
  b.both(
      "allclose",
      [](const Tensor& x, const Tensor& o, double rtol, double atol, bool equal_nan) {
        return x.allclose(o, rtol, atol, equal_nan);
      },
      py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false);
  b.both("equal", [](const Tensor& x, const Tensor& o) { return x.equal(o); }, py::arg("other"));
  b.both(
      "masked_fill",
      [](const Tensor& x, const Tensor& mask, py::handle value) {
        return tensor_or_scalar(
            value, "masked_fill", [&](const Tensor& v) { return masked_fill(x, mask, v); },
            [&](const Scalar& s) { return masked_fill(x, mask, s); });
      },
      py::arg("mask"), py::arg("value"));
  b.method(
      "masked_fill_",
      [](Tensor& x, const Tensor& mask, py::handle value) -> Tensor {
        Scalar s;
        if (is_tensor(value.ptr())) return x.masked_fill_(mask, unwrap(value.ptr()));
        if (to_scalar(value.ptr(), &s)) return x.masked_fill_(mask, s);
        throw ember::TypeError("masked_fill_(): argument 'value' must be Number or Tensor");
      },
      py::arg("mask"), py::arg("value"));
}

// Reductions and scans are the rows of core/reduction_list.h (bind_reductions.cpp); softmax
// and the sorts are bound here.
void bind_sorting_and_softmax(Binder& b) {
  b.both("softmax", [](const Tensor& x, int64_t dim, OptDtype dtype) { return softmax(x, dim, dtype); },
         py::arg("dim"), py::arg("dtype") = py::none());
  b.both("log_softmax", [](const Tensor& x, int64_t dim, OptDtype dtype) { return log_softmax(x, dim, dtype); },
         py::arg("dim"), py::arg("dtype") = py::none());
  b.both(
      "sort",
      [](const Tensor& x, int64_t dim, bool descending, bool stable) {
        auto [v, i] = sort(x, stable, dim, descending);
        return named_pair("sort", v, i);
      },
      py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  b.both("argsort", [](const Tensor& x, int64_t dim, bool descending) { return argsort(x, dim, descending); },
         py::arg("dim") = -1, py::arg("descending") = false);
  b.both(
      "topk",
      [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
        auto [v, i] = topk(x, k, dim, largest, sorted);
        return named_pair("topk", v, i);
      },
      py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true);
}

// Methods whose size argument is varargs or one sequence: view(2, 3) / view((2, 3)).
DimVector sizes_of(const py::args& a) { return sizes_from_args(a.ptr()); }

void bind_shape(Binder& b) {
  b.method("view", [](const Tensor& x, py::args shape) -> Tensor {
    if (shape.size() == 1 && is_dtype(shape[0].ptr())) return x.view(dtype_of(shape[0].ptr()));
    return x.view(sizes_of(shape));
  });
  b.method("reshape", [](const Tensor& x, py::args shape) { return x.reshape(sizes_of(shape)); });
  b.module().def("reshape", [](const Tensor& x, py::object shape) { return x.reshape(int_list(shape.ptr(), "shape")); },
                 py::arg("input"), py::arg("shape"));
  b.method("permute", [](const Tensor& x, py::args dims) { return x.permute(sizes_of(dims)); });
  b.module().def("permute", [](const Tensor& x, py::object dims) { return x.permute(int_list(dims.ptr(), "dims")); },
                 py::arg("input"), py::arg("dims"));
  b.method("expand", [](const Tensor& x, py::args sizes) { return x.expand(sizes_of(sizes)); });
  b.method("repeat", [](const Tensor& x, py::args sizes) { return x.repeat(sizes_of(sizes)); });
  b.method("flip", [](const Tensor& x, py::args dims) { return x.flip(sizes_of(dims)); });
  b.module().def("flip", [](const Tensor& x, Dims dims) { return x.flip(dims.dims); }, py::arg("input"), py::arg("dims"));
  b.method("view_as", [](const Tensor& x, const Tensor& o) { return x.view_as(o); }, py::arg("other"));
  b.method("reshape_as", [](const Tensor& x, const Tensor& o) { return x.reshape_as(o); }, py::arg("other"));
  b.method("expand_as", [](const Tensor& x, const Tensor& o) { return x.expand_as(o); }, py::arg("other"));
  b.both("transpose", [](const Tensor& x, int64_t d0, int64_t d1) { return x.transpose(d0, d1); }, py::arg("dim0"),
         py::arg("dim1"));
  b.both("swapaxes", [](const Tensor& x, int64_t d0, int64_t d1) { return x.transpose(d0, d1); }, py::arg("axis0"),
         py::arg("axis1"));
  b.both("t", [](const Tensor& x) { return x.t(); });
  b.both("movedim", [](const Tensor& x, int64_t s, int64_t d) { return x.movedim(s, d); }, py::arg("source"),
         py::arg("destination"));
  b.both(
      "squeeze", [](const Tensor& x, std::optional<int64_t> dim) { return dim ? x.squeeze(*dim) : x.squeeze(); },
      py::arg("dim") = py::none());
  b.method(
      "squeeze_",
      [](Tensor& x, std::optional<int64_t> dim) -> Tensor { return dim ? x.squeeze_(*dim) : x.squeeze_(); },
      py::arg("dim") = py::none());
  b.both("unsqueeze", [](const Tensor& x, int64_t dim) { return x.unsqueeze(dim); }, py::arg("dim"));
  b.method("unsqueeze_", [](Tensor& x, int64_t dim) -> Tensor { return x.unsqueeze_(dim); }, py::arg("dim"));
  b.both(
      "flatten", [](const Tensor& x, int64_t s, int64_t e) { return x.flatten(s, e); }, py::arg("start_dim") = 0,
      py::arg("end_dim") = -1);
  b.both("unflatten", [](const Tensor& x, int64_t d, Dims sizes) { return x.unflatten(d, sizes.dims); },
         py::arg("dim"), py::arg("sizes"));
  b.both("narrow", [](const Tensor& x, int64_t d, int64_t s, int64_t l) { return narrow(x, d, s, l); },
         py::arg("dim"), py::arg("start"), py::arg("length"));
  b.both("select", [](const Tensor& x, int64_t d, int64_t i) { return select(x, d, i); }, py::arg("dim"),
         py::arg("index"));
  b.both(
      "split",
      [](const Tensor& x, py::object split_size, int64_t dim) {
        if (PyLong_Check(split_size.ptr())) return py::tuple(py::cast(x.split(py::cast<int64_t>(split_size), dim)));
        return py::tuple(py::cast(x.split(int_list(split_size.ptr(), "split_size"), dim)));
      },
      py::arg("split_size_or_sections"), py::arg("dim") = 0);
  b.both(
      "chunk", [](const Tensor& x, int64_t c, int64_t d) { return py::tuple(py::cast(x.chunk(c, d))); },
      py::arg("chunks"), py::arg("dim") = 0);
  b.both("unbind", [](const Tensor& x, int64_t d) { return py::tuple(py::cast(unbind(x, d))); }, py::arg("dim") = 0);
  b.both(
      "diagonal", [](const Tensor& x, int64_t o, int64_t d1, int64_t d2) { return diagonal(x, o, d1, d2); },
      py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1);
  b.method("contiguous", [](const Tensor& x, py::object) { return x.contiguous(); },
           py::arg("memory_format") = py::none());
  b.both("clone", [](const Tensor& x, py::object) { return x.clone(); }, py::kw_only(),
         py::arg("memory_format") = py::none());
  b.both("detach", [](const Tensor& x) { return x.detach(); });
  b.method("detach_", [](Tensor& x) -> Tensor { return x.detach_(); });

  py::module_& m = b.module();
  m.def(
      "cat",
      [](py::handle tensors, int64_t dim, OptTensor out) {
        auto ts = tensor_list(tensors, "cat");
        return write_out(out, without_gil_if_large(ts.empty() ? 0 : ts[0].numel() * int64_t(ts.size()),
                                                   [&] { return cat(ts, dim); }));
      },
      py::arg("tensors"), py::arg("dim") = 0, py::kw_only(), py::arg("out") = py::none());
  m.attr("concat") = m.attr("cat");
  m.def(
      "stack",
      [](py::handle tensors, int64_t dim, OptTensor out) { return write_out(out, stack(tensor_list(tensors, "stack"), dim)); },
      py::arg("tensors"), py::arg("dim") = 0, py::kw_only(), py::arg("out") = py::none());
  m.def("hstack", [](py::handle t) { return hstack(tensor_list(t, "hstack")); }, py::arg("tensors"));
  m.def("vstack", [](py::handle t) { return vstack(tensor_list(t, "vstack")); }, py::arg("tensors"));
  m.def("broadcast_tensors", [](py::args ts) { return py::tuple(py::cast(broadcast_tensors(tensor_list(ts, "broadcast_tensors")))); });
}

void bind_linalg_and_index(Binder& b) {
  auto big = [](const Tensor& x, const Tensor& y) { return x.numel() + y.numel(); };
  b.both("matmul", [big](const Tensor& x, const Tensor& o, OptTensor out) {
    return write_out(out, without_gil_if_large(big(x, o), [&] { return matmul(x, o); }));
  }, py::arg("other"), py::kw_only(), py::arg("out") = py::none());
  b.both("mm", [big](const Tensor& x, const Tensor& o, OptTensor out) {
    return write_out(out, without_gil_if_large(big(x, o), [&] { return mm(x, o); }));
  }, py::arg("mat2"), py::kw_only(), py::arg("out") = py::none());
  b.both("bmm", [big](const Tensor& x, const Tensor& o, OptTensor out) {
    return write_out(out, without_gil_if_large(big(x, o), [&] { return bmm(x, o); }));
  }, py::arg("mat2"), py::kw_only(), py::arg("out") = py::none());
  b.both("mv", [](const Tensor& x, const Tensor& v) { return mv(x, v); }, py::arg("vec"));
  b.both("dot", [](const Tensor& x, const Tensor& o) { return dot(x, o); }, py::arg("other"));
  b.both("outer", [](const Tensor& x, const Tensor& o) { return outer(x, o); }, py::arg("vec2"));
  b.both(
      "addmm",
      [](const Tensor& x, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) {
        return addmm(x, m1, m2, beta, alpha);
      },
      py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  b.both("index_select", [](const Tensor& x, int64_t d, const Tensor& i) { return index_select(x, d, i); },
         py::arg("dim"), py::arg("index"));
  b.both("gather", [](const Tensor& x, int64_t d, const Tensor& i, bool sg) { return gather(x, d, i, sg); },
         py::arg("dim"), py::arg("index"), py::kw_only(), py::arg("sparse_grad") = false);
  b.both(
      "scatter",
      [](const Tensor& x, int64_t d, const Tensor& i, py::handle src, std::optional<std::string> reduce) {
        return tensor_or_scalar(
            src, "scatter",
            [&](const Tensor& s) { return reduce ? scatter(x, d, i, s, *reduce) : scatter(x, d, i, s); },
            [&](const Scalar& v) { return reduce ? scatter(x, d, i, v, *reduce) : scatter(x, d, i, v); });
      },
      py::arg("dim"), py::arg("index"), py::arg("src"), py::kw_only(), py::arg("reduce") = py::none());
  b.method(
      "scatter_",
      [](Tensor& x, int64_t d, const Tensor& i, py::handle src, std::optional<std::string> reduce) -> Tensor {
        Scalar v;
        if (is_tensor(src.ptr())) return reduce ? scatter_(x, d, i, unwrap(src.ptr()), *reduce) : scatter_(x, d, i, unwrap(src.ptr()));
        if (to_scalar(src.ptr(), &v)) return reduce ? scatter_(x, d, i, v, *reduce) : scatter_(x, d, i, v);
        throw ember::TypeError("scatter_(): argument 'src' must be Tensor or Number");
      },
      py::arg("dim"), py::arg("index"), py::arg("src"), py::kw_only(), py::arg("reduce") = py::none());
  b.both("scatter_add", [](const Tensor& x, int64_t d, const Tensor& i, const Tensor& s) { return scatter_add(x, d, i, s); },
         py::arg("dim"), py::arg("index"), py::arg("src"));
  b.method("scatter_add_", [](Tensor& x, int64_t d, const Tensor& i, const Tensor& s) -> Tensor { return scatter_add_(x, d, i, s); },
           py::arg("dim"), py::arg("index"), py::arg("src"));
  b.both(
      "index_add",
      [](const Tensor& x, int64_t d, const Tensor& i, const Tensor& s, const Scalar& alpha) { return index_add(x, d, i, s, alpha); },
      py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  b.both("masked_select", [](const Tensor& x, const Tensor& m) { return masked_select(x, m); }, py::arg("mask"));
  b.both(
      "nonzero",
      [](const Tensor& x, bool as_tuple) -> py::object {
        if (as_tuple) return py::tuple(py::cast(where(x)));
        return py::cast(nonzero(x));
      },
      py::kw_only(), py::arg("as_tuple") = false);
}

// The rest of the core's functions: fused linear algebra, strided views, index_put,
// nan_to_num, the remaining in-place forms.
void bind_more(Binder& b) {
  b.both(
      "addmv",
      [](const Tensor& x, const Tensor& mat, const Tensor& vec, const Scalar& beta, const Scalar& alpha) {
        return addmv(x, mat, vec, beta, alpha);
      },
      py::arg("mat"), py::arg("vec"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  b.both(
      "baddbmm",
      [](const Tensor& x, const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha) {
        return baddbmm(x, b1, b2, beta, alpha);
      },
      py::arg("batch1"), py::arg("batch2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  b.method(
      "addmm_",
      [](Tensor& x, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) -> Tensor {
        return addmm_(x, m1, m2, beta, alpha);
      },
      py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  b.both("vdot", [](const Tensor& x, const Tensor& o) { return vdot(x, o); }, py::arg("other"));
  b.both("ger", [](const Tensor& x, const Tensor& o) { return outer(x, o); }, py::arg("vec2"));
  b.both(
      "as_strided",
      [](const Tensor& x, Dims size, Dims stride, std::optional<int64_t> offset) {
        return x.as_strided(size.dims, stride.dims, offset);
      },
      py::arg("size"), py::arg("stride"), py::arg("storage_offset") = py::none());
  b.method(
      "as_strided_",
      [](Tensor& x, Dims size, Dims stride, std::optional<int64_t> offset) -> Tensor {
        return x.as_strided_(size.dims, stride.dims, offset);
      },
      py::arg("size"), py::arg("stride"), py::arg("storage_offset") = py::none());
  auto optional_indices = [](py::handle indices) {
    std::vector<std::optional<Tensor>> r;
    for (py::handle h : indices) r.emplace_back(h.is_none() ? std::optional<Tensor>() : unwrap(h.ptr()));
    return r;
  };
  b.both(
      "index_put",
      [optional_indices](const Tensor& x, py::handle indices, const Tensor& values, bool accumulate) {
        return index_put(x, optional_indices(indices), values, accumulate);
      },
      py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  b.method(
      "index_put_",
      [optional_indices](Tensor& x, py::handle indices, const Tensor& values, bool accumulate) -> Tensor {
        return index_put_(x, optional_indices(indices), values, accumulate);
      },
      py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  b.method(
      "index_add_",
      [](Tensor& x, int64_t d, const Tensor& i, const Tensor& s, const Scalar& alpha) -> Tensor {
        return index_add_(x, d, i, s, alpha);
      },
      py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  b.both(
      "nan_to_num",
      [](const Tensor& x, std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) {
        return nan_to_num(x, nan, posinf, neginf);
      },
      py::arg("nan") = 0.0, py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
  b.both("negative", [](const Tensor& x) { return neg(x); });
  b.both("clamp_min", [](const Tensor& x, const Scalar& v) { return x.clamp_min(v); }, py::arg("min"));
  b.both("clamp_max", [](const Tensor& x, const Scalar& v) { return x.clamp_max(v); }, py::arg("max"));
  b.method("fmod_", [](Tensor& x, py::handle o) -> Tensor {
    Scalar s;
    if (is_tensor(o.ptr())) return x.fmod_(unwrap(o.ptr()));
    if (to_scalar(o.ptr(), &s)) return x.fmod_(s);
    throw ember::TypeError("fmod_(): argument 'other' must be Tensor or Number");
  }, py::arg("other"));
  b.method("remainder_", [](Tensor& x, py::handle o) -> Tensor {
    Scalar s;
    if (is_tensor(o.ptr())) return x.remainder_(unwrap(o.ptr()));
    if (to_scalar(o.ptr(), &s)) return x.remainder_(s);
    throw ember::TypeError("remainder_(): argument 'other' must be Tensor or Number");
  }, py::arg("other"));
  b.method("atan2_", [](Tensor& x, const Tensor& o) -> Tensor { return x.atan2_(o); }, py::arg("other"));
  b.method(
      "split_with_sizes", [](const Tensor& x, Dims sizes, int64_t d) { return py::tuple(py::cast(x.split_with_sizes(sizes.dims, d))); },
      py::arg("split_sizes"), py::arg("dim") = 0);
  b.module().def("can_cast", [](ScalarType from, ScalarType to) { return can_cast(from, to); }, py::arg("from_"),
                 py::arg("to"));
}

}  // namespace

void init_tensor_ops(py::module_& m) {
  Binder b(m);
  bind_binary(b);
  bind_sorting_and_softmax(b);
  bind_shape(b);
  bind_linalg_and_index(b);
  bind_more(b);
}

}  // namespace ember::python
