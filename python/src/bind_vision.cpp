// ember._C._vision: the dataset readers behind ember.vision.datasets. Reading and decoding
// stay in C++ (ember/data/datasets); the Python classes hold the tensors and give them
// torchvision's API.
#include <pybind11/stl.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include "ember/core/parallel.h"
#include "ember/data/datasets/cifar.h"
#include "ember/data/datasets/mnist.h"
#include "ember/data/image.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace {

// (images uint8 [N, H, W], targets int64 [N]): torchvision's MNIST.data and .targets (the
// class names are torchvision's lists, kept in datasets/mnist.py).
py::tuple read_mnist(const std::string& root, bool train, bool fashion) {
  Tensor images, targets;
  {
    py::gil_scoped_release release;
    auto read = [&](const data::datasets::MNIST& d) {
      images = d.images().squeeze(1);  // raw: the stored uint8 images
      targets = d.targets();
    };
    if (fashion) read(data::datasets::FashionMNIST(root, train, /*raw=*/true));
    else read(data::datasets::MNIST(root, train, /*raw=*/true));
  }
  return py::make_tuple(py::reinterpret_steal<py::object>(wrap(images)),
                        py::reinterpret_steal<py::object>(wrap(targets)));
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

// Note [Decoding like PIL] (python/ember/vision/datasets/folder.py): the formats whose stb
// decoding, converted to RGB, gives the very pixels of PIL's Image.open(f).convert("RGB").
// PNGs qualify when both decoders are exact (tests/python/test_vision_datasets.py checks
// them against PIL): 8-bit samples of any colour type (tRNS included), palettes of any
// depth, and 1-bit grayscale. JPEG does not (different IDCT and YCbCr rounding), nor 16-bit
// PNGs (stb and PIL reduce them to 8 bits differently), nor formats stb lacks (TIFF, WebP).
bool decodes_like_pil(const std::vector<unsigned char>& b) {
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  // The signature, IHDR's length and type, width, height, then bit depth and colour type.
  if (b.size() <= 33 || std::memcmp(b.data(), kPng, 8) != 0 || std::memcmp(b.data() + 12, "IHDR", 4) != 0)
    return false;
  const int depth = b[24], colour = b[25];
  return depth == 8 || (colour == 3 && depth <= 8) || (colour == 0 && depth == 1);
}

// uint8 [3, H, W], or nothing when the file is unreadable, not such a PNG, or fails to
// decode (the caller's PIL path then reports the problem in PIL's words).
std::optional<Tensor> rgb_like_pil(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return std::nullopt;
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || !decodes_like_pil(bytes)) return std::nullopt;
  try {
    return data::decode_image(bytes.data(), bytes.size(), 3, path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

py::object optional_tensor(const std::optional<Tensor>& t) {
  return t ? py::reinterpret_steal<py::object>(wrap(*t)) : py::none();
}

}  // namespace

void init_vision(py::module_& m) {
  py::module_ vision = m.def_submodule("_vision", "ember._C._vision: dataset readers for ember.vision");
  vision.def("read_mnist", &read_mnist, py::arg("root"), py::arg("train"), py::arg("fashion"));
  vision.def("read_cifar10", &read_cifar10, py::arg("root"), py::arg("train"));
  // torchvision.io.read_image: uint8 [C, H, W]; channels 0 keeps the file's, 1, 3, 4 convert.
  vision.def(
      "read_image",
      [](const std::string& path, int channels) {
        Tensor t;
        {
          py::gil_scoped_release release;
          t = data::read_image(path, channels);
        }
        return py::reinterpret_steal<py::object>(wrap(t));
      },
      py::arg("path"), py::arg("channels") = 0);
  // A uint8 [C, H, W] (C = 1..4) or [H, W] tensor as a PNG file (stb's encoder).
  vision.def(
      "write_png",
      [](const std::string& path, const Tensor& image) {
        py::gil_scoped_release release;
        data::write_png(path, image);
      },
      py::arg("path"), py::arg("image"));
  vision.def(
      "read_rgb_like_pil",
      [](const std::string& path) {
        std::optional<Tensor> t;
        {
          py::gil_scoped_release release;
          t = rgb_like_pil(path);
        }
        return optional_tensor(t);
      },
      py::arg("path"));
  // The same for a batch of files, decoded in parallel on ember's thread pool.
  vision.def(
      "read_rgb_like_pil_batch",
      [](const std::vector<std::string>& paths) {
        std::vector<std::optional<Tensor>> out(paths.size());
        {
          py::gil_scoped_release release;
          parallel_for(0, static_cast<int64_t>(paths.size()), 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) out[static_cast<size_t>(i)] = rgb_like_pil(paths[static_cast<size_t>(i)]);
          });
        }
        py::list result;
        for (const auto& t : out) result.append(optional_tensor(t));
        return result;
      },
      py::arg("paths"));
}

}  // namespace ember::python
