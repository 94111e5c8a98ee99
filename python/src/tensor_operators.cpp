// Python operators on tensors (`a + b`, `2 - t`, `t += 1`, `a @ b`, comparisons,
// bool()/int()/float()/index()), as CPython slots of TensorBase: the hottest entry
// points of the package, so no pybind11 dispatch here. Reflected forms follow
// torch/_tensor.py: `2 - t` is rsub (RsubBackward1), `1 / t` is reciprocal() * 1,
// `2 ** t` is pow(2, t). A non-tensor, non-number operand gives NotImplemented, so
// Python tries the other operand's method.
#include <pybind11/pybind11.h>

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/linalg.h"
#include "ember/ops/type_promotion.h"
#include "python/src/convert.h"
#include "python/src/errors.h"
#include "python/src/gil.h"
#include "python/src/tensor_object.h"

namespace ember::python {

namespace {

// Calls tt(a, b), ts(a, scalar) or st(b, scalar) by the operands' kinds.
template <class TT, class TS, class ST>
PyObject* binary(PyObject* a, PyObject* b, TT tt, TS ts, ST st) {
  EMBER_PY_TRY
  Scalar s;
  if (is_tensor(a)) {
    const Tensor& x = unwrap(a);
    if (is_tensor(b)) {
      const Tensor& y = unwrap(b);
      return wrap(without_gil_if_large(x.numel() + y.numel(), [&] { return tt(x, y); }));
    }
    if (to_scalar(b, &s)) return wrap(without_gil_if_large(x.numel(), [&] { return ts(x, s); }));
    Py_RETURN_NOTIMPLEMENTED;
  }
  if (is_tensor(b) && to_scalar(a, &s)) {
    const Tensor& y = unwrap(b);
    return wrap(without_gil_if_large(y.numel(), [&] { return st(y, s); }));
  }
  Py_RETURN_NOTIMPLEMENTED;
  EMBER_PY_CATCH(nullptr)
}

// In place: self op= other; returns self.
template <class TT, class TS>
PyObject* inplace(PyObject* self, PyObject* other, TT tt, TS ts) {
  EMBER_PY_TRY
  if (!is_tensor(self)) Py_RETURN_NOTIMPLEMENTED;
  Tensor& x = reinterpret_cast<PyTensor*>(self)->cdata;
  Scalar s;
  if (is_tensor(other)) {
    ReleaseGilIfLarge gil(x.numel());
    tt(x, unwrap(other));
  } else if (to_scalar(other, &s)) {
    ReleaseGilIfLarge gil(x.numel());
    ts(x, s);
  } else {
    Py_RETURN_NOTIMPLEMENTED;
  }
  Py_INCREF(self);
  return self;
  EMBER_PY_CATCH(nullptr)
}

template <class F>
PyObject* unary(PyObject* self, F f) {
  EMBER_PY_TRY
  return wrap(f(unwrap(self)));
  EMBER_PY_CATCH(nullptr)
}

PyObject* nb_add(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return add(x, y); },
      [](const Tensor& x, const Scalar& s) { return add(x, s); },
      [](const Tensor& y, const Scalar& s) { return add(y, s); });
}
PyObject* nb_subtract(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return sub(x, y); },
      [](const Tensor& x, const Scalar& s) { return sub(x, s); },
      [](const Tensor& y, const Scalar& s) { return rsub(y, s); });
}
PyObject* nb_multiply(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return mul(x, y); },
      [](const Tensor& x, const Scalar& s) { return mul(x, s); },
      [](const Tensor& y, const Scalar& s) { return mul(y, s); });
}
PyObject* nb_true_divide(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return div(x, y); },
      [](const Tensor& x, const Scalar& s) { return div(x, s); },
      [](const Tensor& y, const Scalar& s) { return mul(reciprocal(y), s); });
}
PyObject* nb_floor_divide(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return floor_divide(x, y); },
      [](const Tensor& x, const Scalar& s) { return floor_divide(x, s); },
      [](const Tensor& y, const Scalar& s) { return floor_divide(scalar_to_tensor(s, y.device()), y); });
}
PyObject* nb_remainder(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return remainder(x, y); },
      [](const Tensor& x, const Scalar& s) { return remainder(x, s); },
      [](const Tensor& y, const Scalar& s) { return remainder(scalar_to_tensor(s, y.device()), y); });
}
PyObject* nb_power(PyObject* a, PyObject* b, PyObject* mod) {
  if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return pow(x, y); },
      [](const Tensor& x, const Scalar& s) { return pow(x, s); },
      // torch's __rpow__: tensor(other, dtype=result_type(other, self)) ** self (PowBackward1).
      [](const Tensor& y, const Scalar& s) {
        return pow(full({}, s, TensorOptions(result_type(y, s)).device(y.device())), y);
      });
}
PyObject* nb_and(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return bitwise_and(x, y); },
      [](const Tensor& x, const Scalar& s) { return bitwise_and(x, s); },
      [](const Tensor& y, const Scalar& s) { return bitwise_and(y, s); });
}
PyObject* nb_or(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return bitwise_or(x, y); },
      [](const Tensor& x, const Scalar& s) { return bitwise_or(x, s); },
      [](const Tensor& y, const Scalar& s) { return bitwise_or(y, s); });
}
PyObject* nb_xor(PyObject* a, PyObject* b) {
  return binary(
      a, b, [](const Tensor& x, const Tensor& y) { return bitwise_xor(x, y); },
      [](const Tensor& x, const Scalar& s) { return bitwise_xor(x, s); },
      [](const Tensor& y, const Scalar& s) { return bitwise_xor(y, s); });
}
PyObject* nb_matrix_multiply(PyObject* a, PyObject* b) {
  EMBER_PY_TRY
  if (!is_tensor(a) || !is_tensor(b)) Py_RETURN_NOTIMPLEMENTED;
  const Tensor& x = unwrap(a);
  const Tensor& y = unwrap(b);
  return wrap(without_gil_if_large(x.numel() * (y.dim() ? y.size(-1) : 1), [&] { return matmul(x, y); }));
  EMBER_PY_CATCH(nullptr)
}

PyObject* nb_inplace_add(PyObject* a, PyObject* b) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.add_(y); }, [](Tensor& x, const Scalar& s) { x.add_(s); });
}
PyObject* nb_inplace_subtract(PyObject* a, PyObject* b) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.sub_(y); }, [](Tensor& x, const Scalar& s) { x.sub_(s); });
}
PyObject* nb_inplace_multiply(PyObject* a, PyObject* b) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.mul_(y); }, [](Tensor& x, const Scalar& s) { x.mul_(s); });
}
PyObject* nb_inplace_true_divide(PyObject* a, PyObject* b) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.div_(y); }, [](Tensor& x, const Scalar& s) { x.div_(s); });
}
PyObject* nb_inplace_remainder(PyObject* a, PyObject* b) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.remainder_(y); },
      [](Tensor& x, const Scalar& s) { x.remainder_(s); });
}
PyObject* nb_inplace_power(PyObject* a, PyObject* b, PyObject*) {
  return inplace(
      a, b, [](Tensor& x, const Tensor& y) { x.pow_(y); }, [](Tensor& x, const Scalar& s) { x.pow_(s); });
}

PyObject* nb_negative(PyObject* self) { return unary(self, [](const Tensor& x) { return neg(x); }); }
PyObject* nb_positive(PyObject* self) {
  EMBER_PY_TRY
  EMBER_CHECK(unwrap(self).dtype() != kBool,
              "The `+` operator, on a bool tensor is not supported.");
  Py_INCREF(self);
  return self;
  EMBER_PY_CATCH(nullptr)
}
PyObject* nb_absolute(PyObject* self) { return unary(self, [](const Tensor& x) { return abs(x); }); }
PyObject* nb_invert(PyObject* self) {
  return unary(self, [](const Tensor& x) { return x.dtype() == kBool ? logical_not(x) : bitwise_not(x); });
}

// bool(t), int(t), float(t), operator.index(t): one element only, with torch's errors.
int nb_bool(PyObject* self) {
  EMBER_PY_TRY
  const Tensor& t = unwrap(self);
  EMBER_CHECK(t.numel() != 0, "Boolean value of Tensor with no values is ambiguous");
  EMBER_CHECK(t.numel() == 1, "Boolean value of Tensor with more than one value is ambiguous");
  return t.item().toBool() ? 1 : 0;
  EMBER_PY_CATCH(-1)
}
PyObject* nb_int(PyObject* self) {
  EMBER_PY_TRY
  const Tensor& t = unwrap(self);
  EMBER_CHECK_VALUE(t.numel() == 1, "only one element tensors can be converted to Python scalars");
  Scalar s = t.item();
  if (s.is_floating_point()) {
    PyObject* f = PyFloat_FromDouble(s.toDouble());
    PyObject* r = PyNumber_Long(f);  // truncates; raises on nan/inf as int(float) does
    Py_DECREF(f);
    return r;
  }
  return PyLong_FromLongLong(s.toLong());
  EMBER_PY_CATCH(nullptr)
}
PyObject* nb_float(PyObject* self) {
  EMBER_PY_TRY
  const Tensor& t = unwrap(self);
  EMBER_CHECK_VALUE(t.numel() == 1, "only one element tensors can be converted to Python scalars");
  return PyFloat_FromDouble(t.item().toDouble());
  EMBER_PY_CATCH(nullptr)
}
PyObject* nb_index(PyObject* self) {
  EMBER_PY_TRY
  const Tensor& t = unwrap(self);
  EMBER_CHECK_TYPE(t.numel() == 1 && is_integral(t.dtype(), /*include_bool=*/true),
                   "only integer tensors of a single element can be converted to an index");
  return PyLong_FromLongLong(t.item().toLong());
  EMBER_PY_CATCH(nullptr)
}

PyObject* richcompare(PyObject* a, PyObject* b, int op) {
  switch (op) {
    case Py_EQ:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return eq(x, y); },
          [](const Tensor& x, const Scalar& s) { return eq(x, s); },
          [](const Tensor& y, const Scalar& s) { return eq(y, s); });
    case Py_NE:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return ne(x, y); },
          [](const Tensor& x, const Scalar& s) { return ne(x, s); },
          [](const Tensor& y, const Scalar& s) { return ne(y, s); });
    case Py_LT:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return lt(x, y); },
          [](const Tensor& x, const Scalar& s) { return lt(x, s); },
          [](const Tensor& y, const Scalar& s) { return gt(y, s); });
    case Py_LE:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return le(x, y); },
          [](const Tensor& x, const Scalar& s) { return le(x, s); },
          [](const Tensor& y, const Scalar& s) { return ge(y, s); });
    case Py_GT:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return gt(x, y); },
          [](const Tensor& x, const Scalar& s) { return gt(x, s); },
          [](const Tensor& y, const Scalar& s) { return lt(y, s); });
    case Py_GE:
      return binary(
          a, b, [](const Tensor& x, const Tensor& y) { return ge(x, y); },
          [](const Tensor& x, const Scalar& s) { return ge(x, s); },
          [](const Tensor& y, const Scalar& s) { return le(y, s); });
  }
  Py_RETURN_NOTIMPLEMENTED;
}

PyNumberMethods number_methods = [] {
  PyNumberMethods m{};
  m.nb_add = nb_add;
  m.nb_subtract = nb_subtract;
  m.nb_multiply = nb_multiply;
  m.nb_true_divide = nb_true_divide;
  m.nb_floor_divide = nb_floor_divide;
  m.nb_remainder = nb_remainder;
  m.nb_power = nb_power;
  m.nb_and = nb_and;
  m.nb_or = nb_or;
  m.nb_xor = nb_xor;
  m.nb_matrix_multiply = nb_matrix_multiply;
  m.nb_inplace_add = nb_inplace_add;
  m.nb_inplace_subtract = nb_inplace_subtract;
  m.nb_inplace_multiply = nb_inplace_multiply;
  m.nb_inplace_true_divide = nb_inplace_true_divide;
  m.nb_inplace_remainder = nb_inplace_remainder;
  m.nb_inplace_power = nb_inplace_power;
  m.nb_negative = nb_negative;
  m.nb_positive = nb_positive;
  m.nb_absolute = nb_absolute;
  m.nb_invert = nb_invert;
  m.nb_bool = nb_bool;
  m.nb_int = nb_int;
  m.nb_float = nb_float;
  m.nb_index = nb_index;
  return m;
}();

}  // namespace

void init_tensor_indexing(PyTypeObject* type);  // tensor_indexing.cpp

void init_tensor_operators(PyTypeObject* type) {
  type->tp_as_number = &number_methods;
  type->tp_richcompare = richcompare;
  init_tensor_indexing(type);
}

}  // namespace ember::python
