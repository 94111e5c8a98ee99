// The ops of the op tables (core/op_list.h, core/activation_list.h) bound to Python from
// their rows: adding a row to a table adds its Python function and Tensor methods here
// with no further code. Binary ops with extra arguments (add's alpha, div's rounding_mode)
// and the comparison family are listed by hand below, since their Python signatures are
// not uniform in the table.
#include "ember/core/activation_list.h"
#include "ember/core/op_list.h"
#include "ember/ops/activation.h"
#include "ember/ops/elementwise.h"
#include "python/src/bind_common.h"
#include "python/src/gil.h"

namespace ember::python {

namespace {

template <class F>
Tensor large_without_gil(const Tensor& x, F f) {
  return without_gil_if_large(x.numel(), f);
}

// ---- unary rows: name(input, *, out=None), t.name(), t.name_() --------------------------
#define EMBER_PY_UNARY_FUNCTION(name)                                                               \
  b.function(                                                                                      \
      #name,                                                                                       \
      [](const Tensor& x, std::optional<Tensor> out) {                                             \
        if (out) return ember::name##_out(*out, x);                                                \
        return large_without_gil(x, [&] { return ember::name(x); });                               \
      },                                                                                           \
      py::kw_only(), py::arg("out") = py::none());
#define EMBER_PY_UNARY_METHOD(name) \
  b.method(#name, [](const Tensor& x) { return large_without_gil(x, [&] { return ember::name(x); }); });
#define EMBER_PY_UNARY_INPLACE(name) \
  b.method(#name "_", [](Tensor& x) -> Tensor { return ember::name##_(x); });
#define EMBER_PY_UNARY_METHODS(name) \
  EMBER_PY_UNARY_FUNCTION(name) EMBER_PY_UNARY_METHOD(name) EMBER_PY_UNARY_INPLACE(name)
#define EMBER_PY_UNARY_METHOD_ONLY(name) EMBER_PY_UNARY_FUNCTION(name) EMBER_PY_UNARY_METHOD(name)
#define EMBER_PY_UNARY_FUNCTIONS(name) EMBER_PY_UNARY_FUNCTION(name)
#define EMBER_PY_UNARY_CUSTOM(name)
#define EMBER_PY_UNARY_ROW_METHODS(name) EMBER_PY_UNARY_METHODS(name)
#define EMBER_PY_UNARY_ROW_METHOD(name) EMBER_PY_UNARY_METHOD_ONLY(name)
#define EMBER_PY_UNARY_ROW_FUNCTIONS(name) EMBER_PY_UNARY_FUNCTIONS(name)
#define EMBER_PY_UNARY_ROW_CUSTOM(name) EMBER_PY_UNARY_CUSTOM(name)

void bind_unary(Binder& b) {
#define EMBER_X(name, methods, ...) EMBER_PY_UNARY_ROW_##methods(name)
  EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
}

// ---- activation rows: ember._C._nn.name(input, params...), name_ where INPLACE ---------------
// A row's parameter list, (P(double, alpha, 1.0) R(double, value)), is read here as a
// sequence of tuples (kind, type, name[, default]) and walked three ways: the lambda's
// parameters, the call's arguments, and pybind11's py::arg list with the row's defaults.
#undef P
#undef R
#define P(type, name, default_value) (P, type, name, default_value)
#define R(type, name) (R, type, name)
#define EMBER_PY_CAT(a, b) EMBER_PY_CAT_I(a, b)
#define EMBER_PY_CAT_I(a, b) a##b

// Each walker alternates between two macro names so that the preprocessor expands the next
// element (Boost.PP's sequence idiom); the empty tuple appended at the end stops it.
#define EMBER_PY_DECL_ONE(kind, type, name, ...) , type name
#define EMBER_PY_DECL_A(...) __VA_OPT__(EMBER_PY_DECL_ONE(__VA_ARGS__) EMBER_PY_DECL_B)
#define EMBER_PY_DECL_B(...) __VA_OPT__(EMBER_PY_DECL_ONE(__VA_ARGS__) EMBER_PY_DECL_A)
#define EMBER_PY_CALL_ONE(kind, type, name, ...) , name
#define EMBER_PY_CALL_A(...) __VA_OPT__(EMBER_PY_CALL_ONE(__VA_ARGS__) EMBER_PY_CALL_B)
#define EMBER_PY_CALL_B(...) __VA_OPT__(EMBER_PY_CALL_ONE(__VA_ARGS__) EMBER_PY_CALL_A)
#define EMBER_PY_ARG_P(type, name, default_value) , py::arg(#name) = default_value
#define EMBER_PY_ARG_R(type, name) , py::arg(#name)
#define EMBER_PY_ARG_ONE(kind, ...) EMBER_PY_CAT(EMBER_PY_ARG_, kind)(__VA_ARGS__)
#define EMBER_PY_ARG_A(...) __VA_OPT__(EMBER_PY_ARG_ONE(__VA_ARGS__) EMBER_PY_ARG_B)
#define EMBER_PY_ARG_B(...) __VA_OPT__(EMBER_PY_ARG_ONE(__VA_ARGS__) EMBER_PY_ARG_A)
#define EMBER_PY_DECLS(seq) EMBER_PY_DECL_A seq()
#define EMBER_PY_CALLS(seq) EMBER_PY_CALL_A seq()
#define EMBER_PY_ARGS(seq) EMBER_PY_ARG_A seq()

#define EMBER_PY_ACT_INPLACE(name, params)                                                     \
  nn.def(                                                                                      \
      #name "_",                                                                               \
      [](Tensor& x EMBER_PY_DECLS(EMBER_UNPAREN params)) -> Tensor {                           \
        return ember::name##_(x EMBER_PY_CALLS(EMBER_UNPAREN params));                         \
      },                                                                                       \
      py::arg("input") EMBER_PY_ARGS(EMBER_UNPAREN params));
#define EMBER_PY_ACT_FUNCTIONAL(name, params)

void bind_activations(py::module_& nn) {
#define EMBER_X(name, forms, front, kernel, node, params, kernel_params, sample)                \
  nn.def(                                                                                      \
      #name,                                                                                   \
      [](const Tensor& x EMBER_PY_DECLS(EMBER_UNPAREN params)) {                               \
        return large_without_gil(x, [&] { return ember::name(x EMBER_PY_CALLS(EMBER_UNPAREN params)); }); \
      },                                                                                       \
      py::arg("input") EMBER_PY_ARGS(EMBER_UNPAREN params));                                   \
  EMBER_PY_ACT_##forms(name, params)
  EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
}
#undef P
#undef R

}  // namespace

void init_ops(py::module_& m) {
  Binder b(m);
  bind_unary(b);
  py::module_ nn = m.def_submodule("_nn", "ember._C._nn: the functional activations (ember.nn.functional)");
  bind_activations(nn);
}

}  // namespace ember::python
