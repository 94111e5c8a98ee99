// Creation functions with torch's Python signatures: sizes as varargs or one sequence,
// dtype= / device= / requires_grad= / out= / generator= keywords; tensor(), as_tensor,
// from_numpy; the random generator and the process-wide settings.
#include <pybind11/stl.h>

#include "ember/core/parallel.h"
#include "ember/ops/factory.h"
#include "ember/ops/print.h"
#include "ember/ops/random.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace {

using OptDtype = std::optional<ScalarType>;
using OptDevice = std::optional<Device>;
using OptGen = std::optional<Generator>;

DimVector sizes_of(const py::args& args) { return sizes_from_args(args.ptr()); }

// The keywords every sized factory takes, after the sizes.
#define EMBER_FACTORY_KWARGS                                                                        \
  py::arg("out") = py::none(), py::arg("dtype") = py::none(), py::arg("layout") = py::none(),       \
      py::arg("device") = py::none(), py::arg("pin_memory") = false, py::arg("requires_grad") = false

template <class F>
void sized_factory(py::module_& m, const char* name, F make) {
  m.def(
      name,
      [make](py::args size, std::optional<Tensor> out, OptDtype dtype, py::object, OptDevice device, bool,
             bool requires_grad) {
        Tensor t = make(sizes_of(size), make_options(dtype, device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      EMBER_FACTORY_KWARGS);
}

template <class F>
void sized_random(py::module_& m, const char* name, F make) {
  m.def(
      name,
      [make](py::args size, OptGen generator, std::optional<Tensor> out, OptDtype dtype, py::object,
             OptDevice device, bool, bool requires_grad) {
        Tensor t = make(sizes_of(size), generator, make_options(dtype, device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("generator") = py::none(), EMBER_FACTORY_KWARGS);
}

template <class F>
void like_factory(py::module_& m, const char* name, F make) {
  m.def(
      name,
      [make](const Tensor& x, OptDtype dtype, py::object, OptDevice device, bool requires_grad, py::object) {
        TensorOptions o = x.options();
        if (dtype) o = o.dtype(*dtype);
        if (device) o = o.device(*device);
        return with_requires_grad(make(x, o), requires_grad);
      },
      py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("layout") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false, py::arg("memory_format") = py::none());
}

}  // namespace

void init_factories(py::module_& m) {
  sized_factory(m, "zeros", [](IntArrayRef s, const TensorOptions& o) { return zeros(s, o); });
  sized_factory(m, "ones", [](IntArrayRef s, const TensorOptions& o) { return ones(s, o); });
  sized_factory(m, "empty", [](IntArrayRef s, const TensorOptions& o) { return empty(s, o); });
  sized_random(m, "rand", [](IntArrayRef s, OptGen g, const TensorOptions& o) { return rand(s, g, o); });
  sized_random(m, "randn", [](IntArrayRef s, OptGen g, const TensorOptions& o) { return randn(s, g, o); });
  like_factory(m, "zeros_like", [](const Tensor& x, const TensorOptions& o) { return zeros_like(x, o); });
  like_factory(m, "ones_like", [](const Tensor& x, const TensorOptions& o) { return ones_like(x, o); });
  like_factory(m, "empty_like", [](const Tensor& x, const TensorOptions& o) { return empty_like(x, o); });
  like_factory(m, "rand_like", [](const Tensor& x, const TensorOptions& o) { return rand_like(x, o); });
  like_factory(m, "randn_like", [](const Tensor& x, const TensorOptions& o) { return randn_like(x, o); });

  m.def(
      "full",
      [](py::object size, const Scalar& fill_value, std::optional<Tensor> out, OptDtype dtype, py::object,
         OptDevice device, bool, bool requires_grad) {
        // torch infers the dtype from fill_value (an int gives int64, a bool gives bool).
        TensorOptions o = make_options(dtype ? dtype : std::optional<ScalarType>(fill_value.type()), device);
        if (!dtype && fill_value.is_floating_point()) o = o.dtype(get_default_dtype());
        Tensor t = full(int_list(size.ptr(), "size"), fill_value, o);
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(), EMBER_FACTORY_KWARGS);
  m.def(
      "full_like",
      [](const Tensor& x, const Scalar& v, OptDtype dtype, py::object, OptDevice device, bool requires_grad,
         py::object) {
        TensorOptions o = x.options();
        if (dtype) o = o.dtype(*dtype);
        if (device) o = o.device(*device);
        return with_requires_grad(full_like(x, v, o), requires_grad);
      },
      py::arg("input"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("layout") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false,
      py::arg("memory_format") = py::none());

  m.def(
      "arange",
      [](const Scalar& a, std::optional<Scalar> b, const Scalar& step, std::optional<Tensor> out, OptDtype dtype,
         py::object, OptDevice device, bool, bool requires_grad) {
        TensorOptions o = make_options(dtype, device);
        Tensor t = b ? arange(a, *b, step, o) : arange(Scalar(int64_t(0)), a, step, o);
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(), EMBER_FACTORY_KWARGS);
  m.def(
      "linspace",
      [](const Scalar& start, const Scalar& end, int64_t steps, std::optional<Tensor> out, OptDtype dtype,
         py::object, OptDevice device, bool, bool requires_grad) {
        Tensor t = linspace(start, end, steps, make_options(dtype, device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), EMBER_FACTORY_KWARGS);
  m.def(
      "logspace",
      [](const Scalar& start, const Scalar& end, int64_t steps, double base, std::optional<Tensor> out, OptDtype dtype,
         py::object, OptDevice device, bool, bool requires_grad) {
        Tensor t = logspace(start, end, steps, base, make_options(dtype, device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::arg("base") = 10.0, py::kw_only(), EMBER_FACTORY_KWARGS);
  m.def(
      "empty_strided",
      [](Dims size, Dims stride, OptDtype dtype, py::object, OptDevice device, bool, bool requires_grad) {
        return with_requires_grad(empty_strided(size.dims, stride.dims, make_options(dtype, device)), requires_grad);
      },
      py::arg("size"), py::arg("stride"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("layout") = py::none(),
      py::arg("device") = py::none(), py::arg("pin_memory") = false, py::arg("requires_grad") = false);
  m.def(
      "scalar_tensor",
      [](const Scalar& v, OptDtype dtype, py::object, OptDevice device, bool, bool requires_grad) {
        return with_requires_grad(scalar_tensor(v, make_options(dtype.value_or(get_default_dtype()), device)), requires_grad);
      },
      py::arg("s"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("layout") = py::none(),
      py::arg("device") = py::none(), py::arg("pin_memory") = false, py::arg("requires_grad") = false);
  m.def(
      "randint_like",
      [](const Tensor& x, int64_t a, std::optional<int64_t> b, OptDtype dtype, py::object, OptDevice device,
         bool requires_grad, py::object) {
        TensorOptions o = x.options();
        if (dtype) o = o.dtype(*dtype);
        if (device) o = o.device(*device);
        Tensor t = b ? randint_like(x, a, *b, o) : randint_like(x, a, o);
        return with_requires_grad(t, requires_grad);
      },
      py::arg("input"), py::arg("low"), py::arg("high") = py::none(), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("layout") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false,
      py::arg("memory_format") = py::none());
  m.def(
      "eye",
      [](int64_t n, std::optional<int64_t> mcols, std::optional<Tensor> out, OptDtype dtype, py::object,
         OptDevice device, bool, bool requires_grad) {
        TensorOptions o = make_options(dtype, device);
        Tensor t = mcols ? eye(n, *mcols, o) : eye(n, o);
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("n"), py::arg("m") = py::none(), py::kw_only(), EMBER_FACTORY_KWARGS);
  m.def(
      "randint",
      [](py::args args, std::optional<int64_t> low_kw, std::optional<int64_t> high_kw, py::object size_kw,
         OptGen generator, std::optional<Tensor> out, OptDtype dtype, py::object, OptDevice device, bool,
         bool requires_grad) {
        // randint(high, size) or randint(low, high, size), positionally or by keyword.
        std::vector<py::object> pos;
        for (py::handle h : args) pos.push_back(py::reinterpret_borrow<py::object>(h));
        if (!size_kw.is_none()) pos.push_back(size_kw);
        if (high_kw) pos.insert(pos.end() - (size_kw.is_none() ? 0 : 1), py::int_(*high_kw));
        if (low_kw) pos.insert(pos.begin(), py::int_(*low_kw));
        size_t n = pos.size();
        if (n != 2 && n != 3) throw ember::TypeError("randint() takes (high, size) or (low, high, size)");
        int64_t low = n == 3 ? py::cast<int64_t>(pos[0]) : 0;
        int64_t high = py::cast<int64_t>(pos[n - 2]);
        DimVector size = int_list(pos[n - 1].ptr(), "size");
        Tensor t = randint(low, high, size, generator, make_options(dtype.value_or(kInt64), device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("low") = py::none(), py::arg("high") = py::none(), py::arg("size") = py::none(),
      py::arg("generator") = py::none(), EMBER_FACTORY_KWARGS);
  m.def(
      "randperm",
      [](int64_t n, OptGen generator, std::optional<Tensor> out, OptDtype dtype, py::object, OptDevice device, bool,
         bool requires_grad) {
        Tensor t = randperm(n, generator, make_options(dtype.value_or(kInt64), device));
        return with_requires_grad(write_out(out, t), requires_grad);
      },
      py::arg("n"), py::kw_only(), py::arg("generator") = py::none(), EMBER_FACTORY_KWARGS);
  m.def(
      "normal",
      [](py::object mean, py::object std, py::object size, OptGen generator, std::optional<Tensor> out) {
        Tensor t;
        bool mt = is_tensor(mean.ptr()), st = is_tensor(std.ptr());
        if (mt && st) t = normal(unwrap(mean.ptr()), unwrap(std.ptr()), generator);
        else if (mt) t = normal(unwrap(mean.ptr()), py::cast<double>(std), generator);
        else if (st) t = normal(py::cast<double>(mean), unwrap(std.ptr()), generator);
        else t = normal(py::cast<double>(mean), py::cast<double>(std), int_list(size.ptr(), "size"), generator);
        return write_out(out, t);
      },
      py::arg("mean"), py::arg("std") = 1.0, py::arg("size") = py::none(), py::kw_only(),
      py::arg("generator") = py::none(), py::arg("out") = py::none());
  m.def(
      "bernoulli",
      [](const Tensor& x, OptGen generator, std::optional<Tensor> out) { return write_out(out, bernoulli(x, generator)); },
      py::arg("input"), py::kw_only(), py::arg("generator") = py::none(), py::arg("out") = py::none());
  m.def(
      "multinomial",
      [](const Tensor& x, int64_t n, bool replacement, OptGen generator, std::optional<Tensor> out) {
        return write_out(out, multinomial(x, n, replacement, generator));
      },
      py::arg("input"), py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(),
      py::arg("generator") = py::none(), py::arg("out") = py::none());

  // tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False)
  m.def(
      "tensor",
      [](py::handle data, OptDtype dtype, OptDevice device, bool requires_grad, bool) {
        Tensor t = tensor_from_data(data.ptr(), dtype);
        if (device && *device != t.device()) t = t.to(*device);
        return with_requires_grad(t, requires_grad);
      },
      py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false, py::arg("pin_memory") = false);
  m.def(
      "as_tensor",
      [](py::handle data, OptDtype dtype, OptDevice device) {
        Tensor t;
        if (is_tensor(data.ptr())) t = unwrap(data.ptr());
        else if (PyObject_CheckBuffer(data.ptr())) t = tensor_from_buffer(data.ptr(), false);
        else t = tensor_from_data(data.ptr(), dtype);
        if (dtype && t.dtype() != *dtype) t = t.to(*dtype);
        if (device && *device != t.device()) t = t.to(*device);
        return t;
      },
      py::arg("data"), py::arg("dtype") = py::none(), py::arg("device") = py::none());
  m.def("_from_buffer", [](py::handle obj) { return tensor_from_buffer(obj.ptr(), true); });
  m.def("_legacy_new", [](py::args args) { return legacy_tensor_new(args.ptr()); });

  // ---- random generators and seeds ------------------------------------------------------------
  py::class_<Generator>(m, "Generator")
      .def(py::init([](OptDevice device) {
             if (device && !device->is_cpu())
               throw ember::Error("Device type " + device->str() + " is not supported for torch.Generator() api.");
             return Generator();
           }),
           py::arg("device") = py::none())
      .def("manual_seed",
           [](Generator& g, py::int_ seed) -> Generator& {
             g.manual_seed(static_cast<uint64_t>(py::cast<long long>(seed)));
             return g;
           },
           py::return_value_policy::reference_internal)
      .def("seed", &Generator::seed)
      .def("initial_seed", &Generator::initial_seed)
      .def("get_state", &Generator::get_state)
      .def("set_state", [](Generator& g, const Tensor& s) -> Generator& {
        g.set_state(s);
        return g;
      }, py::return_value_policy::reference_internal)
      .def_property_readonly("device", [](const Generator&) { return Device(DeviceType::CPU); });
  m.attr("default_generator") = py::cast(default_generator(), py::return_value_policy::reference);
  m.def("manual_seed", [](py::int_ seed) {
    // torch accepts negative seeds (taken modulo 2**64).
    auto v = static_cast<uint64_t>(PyLong_AsUnsignedLongLongMask(seed.ptr()));
    manual_seed(v);
    return py::cast(default_generator(), py::return_value_policy::reference);
  });
  m.def("seed", [] { return default_generator().seed(); });
  m.def("initial_seed", [] { return default_generator().initial_seed(); });
  m.def("get_rng_state", [] { return default_generator().get_state(); });
  m.def("set_rng_state", [](const Tensor& s) { default_generator().set_state(s); });

  // ---- settings ----------------------------------------------------------------------------------
  m.def("set_default_dtype", [](ScalarType t) {
    EMBER_CHECK_TYPE(is_floating_point(t), "only floating-point types are supported as the default type");
    set_default_dtype(t);
  });
  m.def("get_default_dtype", [] { return get_default_dtype(); });
  m.def("set_num_threads", [](int n) {
    EMBER_CHECK(n > 0, "set_num_threads expects a positive integer");
    set_num_threads(n);
  });
  m.def("get_num_threads", [] { return get_num_threads(); });
  m.def(
      "set_printoptions",
      [](std::optional<int64_t> precision, std::optional<double> threshold, std::optional<int64_t> edgeitems,
         std::optional<int64_t> linewidth, std::optional<std::string> profile, std::optional<bool> sci_mode) {
        set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode);
      },
      py::arg("precision") = py::none(), py::arg("threshold") = py::none(), py::arg("edgeitems") = py::none(),
      py::arg("linewidth") = py::none(), py::arg("profile") = py::none(), py::arg("sci_mode") = py::none());
  m.def("_get_printoptions", [] {
    PrintOptions o = get_printoptions();
    py::dict d;
    d["precision"] = o.precision;
    d["threshold"] = o.threshold;
    d["edgeitems"] = o.edgeitems;
    d["linewidth"] = o.linewidth;
    d["sci_mode"] = o.sci_mode ? py::object(py::bool_(*o.sci_mode)) : py::object(py::none());
    return d;
  });
}

}  // namespace ember::python
