// ember._C._vision: the dataset readers behind ember.vision.datasets. Reading and decoding
// stay in C++ (ember/data/datasets); the Python classes hold the tensors and give them
// torchvision's API.
#include <pybind11/stl.h>

#include "ember/data/datasets/cifar.h"
#include "ember/data/datasets/mnist.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace {

// (images uint8 [N, H, W], targets int64 [N], class names): torchvision's MNIST.data,
// .targets and .classes.
py::tuple read_mnist(const std::string& root, bool train, bool fashion) {
  Tensor images, targets;
  std::vector<std::string> classes;
  {
    py::gil_scoped_release release;
    auto read = [&](const data::datasets::MNIST& d) {
      images = d.images().squeeze(1);  // raw: the stored uint8 images
      targets = d.targets();
      classes = d.classes();
    };
    if (fashion) read(data::datasets::FashionMNIST(root, train, /*raw=*/true));
    else read(data::datasets::MNIST(root, train, /*raw=*/true));
  }
  return py::make_tuple(py::reinterpret_steal<py::object>(wrap(images)),
                        py::reinterpret_steal<py::object>(wrap(targets)), classes);
}

// (images uint8 [N, 32, 32, 3] (HWC, as torchvision's CIFAR10.data), targets int64 [N],
// class names).
py::tuple read_cifar10(const std::string& root, bool train) {
  Tensor images, targets;
  {
    py::gil_scoped_release release;
    data::datasets::CIFAR10 d(root, train, /*raw=*/true);
    images = d.images_uint8().permute({0, 2, 3, 1}).contiguous();
    targets = d.targets();
  }
  return py::make_tuple(py::reinterpret_steal<py::object>(wrap(images)),
                        py::reinterpret_steal<py::object>(wrap(targets)), data::datasets::CIFAR10::classes());
}

}  // namespace

void init_vision(py::module_& m) {
  py::module_ vision = m.def_submodule("_vision", "ember._C._vision: dataset readers for ember.vision");
  vision.def("read_mnist", &read_mnist, py::arg("root"), py::arg("train"), py::arg("fashion"));
  vision.def("read_cifar10", &read_cifar10, py::arg("root"), py::arg("train"));
}

}  // namespace ember::python
