// ember._C._nn: the numerics behind ember.nn and ember.nn.functional with torch's Python
// signatures (F.conv2d(input, weight, bias=None, stride=1, padding=0, ...)). Each is one call
// into ember's C++ op or nn::functional, so a layer's forward costs one binding call.
#include <pybind11/stl.h>

#include "ember/data/transforms/functional.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops/conv.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/embedding.h"
#include "ember/ops/linear.h"
#include "ember/ops/normalization.h"
#include "ember/ops/pooling.h"
#include "python/src/bind_common.h"
#include "python/src/gil.h"

namespace ember::python {

namespace {

namespace F = ember::nn::functional;
using OptTensor = std::optional<Tensor>;

Tensor or_undefined(const OptTensor& t) { return t ? *t : Tensor(); }

// torch's reduction strings, with the legacy size_average/reduce pair taking precedence.
Reduction reduction_of(const std::string& r, py::object size_average = py::none(), py::object reduce = py::none()) {
  if (!size_average.is_none() || !reduce.is_none()) {
    bool avg = size_average.is_none() || py::cast<bool>(size_average);
    bool red = reduce.is_none() || py::cast<bool>(reduce);
    return !red ? kNone : (avg ? kMean : kSum);
  }
  if (r == "mean") return kMean;
  if (r == "sum") return kSum;
  if (r == "none") return kNone;
  throw ember::ValueError(r + " is not a valid value for reduction");
}

DimVector stride_or_kernel(py::object stride, const Dims& kernel) {
  if (stride.is_none()) return kernel.dims;
  DimVector s = int_list(stride.ptr(), "stride");
  return s.empty() ? kernel.dims : s;
}

#define EMBER_LOSS_REDUCTION_ARGS \
  py::arg("size_average") = py::none(), py::arg("reduce") = py::none(), py::arg("reduction") = "mean"

}  // namespace

void init_nn(py::module_& m) {
  py::module_ nn = py::reinterpret_borrow<py::module_>(m.attr("_nn"));
  auto big = [](const Tensor& x) { return x.numel(); };

  nn.def("linear", [big](const Tensor& x, const Tensor& w, OptTensor b) {
    return without_gil_if_large(big(x) * (w.dim() ? w.size(0) : 1), [&] { return linear(x, w, or_undefined(b)); });
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  nn.def("bilinear", [](const Tensor& a, const Tensor& b, const Tensor& w, OptTensor bias) {
    return bilinear(a, b, w, or_undefined(bias));
  }, py::arg("input1"), py::arg("input2"), py::arg("weight"), py::arg("bias") = py::none());

  // ---- convolution ----------------------------------------------------------------------------
  for (int d : {1, 2}) {
    nn.def(d == 1 ? "conv1d" : "conv2d",
           [d, big](const Tensor& x, const Tensor& w, OptTensor b, Dims stride, py::object padding, Dims dilation,
                    int64_t groups) {
             return without_gil_if_large(big(x) * w.numel(), [&] {
               if (PyUnicode_Check(padding.ptr())) {
                 std::string p = py::cast<std::string>(padding);
                 return d == 1 ? conv1d(x, w, or_undefined(b), stride, p, dilation, groups)
                               : conv2d(x, w, or_undefined(b), stride, p, dilation, groups);
               }
               DimVector pad = int_list(padding.ptr(), "padding");
               return d == 1 ? conv1d(x, w, or_undefined(b), stride, pad, dilation, groups)
                             : conv2d(x, w, or_undefined(b), stride, pad, dilation, groups);
             });
           },
           py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
           py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
    nn.def(d == 1 ? "conv_transpose1d" : "conv_transpose2d",
           [d](const Tensor& x, const Tensor& w, OptTensor b, Dims stride, Dims padding, Dims output_padding,
               int64_t groups, Dims dilation) {
             return d == 1 ? conv_transpose1d(x, w, or_undefined(b), stride, padding, output_padding, groups, dilation)
                           : conv_transpose2d(x, w, or_undefined(b), stride, padding, output_padding, groups, dilation);
           },
           py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
           py::arg("padding") = 0, py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1);
  }

  // ---- pooling -----------------------------------------------------------------------------------
  for (int d : {1, 2}) {
    nn.def(d == 1 ? "max_pool1d" : "max_pool2d",
           [d](const Tensor& x, Dims k, py::object stride, Dims padding, Dims dilation, bool ceil_mode,
               bool return_indices) -> py::object {
             DimVector s = stride_or_kernel(stride, k);
             if (return_indices) {
               auto [v, i] = d == 1 ? max_pool1d_with_indices(x, k, s, padding, dilation, ceil_mode)
                                    : max_pool2d_with_indices(x, k, s, padding, dilation, ceil_mode);
               return py::make_tuple(v, i);
             }
             return py::cast(d == 1 ? max_pool1d(x, k, s, padding, dilation, ceil_mode)
                                    : max_pool2d(x, k, s, padding, dilation, ceil_mode));
           },
           py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("dilation") = 1, py::arg("ceil_mode") = false, py::arg("return_indices") = false);
    nn.def(d == 1 ? "avg_pool1d" : "avg_pool2d",
           [d](const Tensor& x, Dims k, py::object stride, Dims padding, bool ceil_mode, bool count_include_pad,
               std::optional<int64_t> divisor_override) {
             DimVector s = stride_or_kernel(stride, k);
             if (d == 1) return avg_pool1d(x, k, s, padding, ceil_mode, count_include_pad);
             return avg_pool2d(x, k, s, padding, ceil_mode, count_include_pad, divisor_override);
           },
           py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
           py::arg("divisor_override") = py::none());
    nn.def(d == 1 ? "adaptive_avg_pool1d" : "adaptive_avg_pool2d",
           [d](const Tensor& x, Dims size) { return d == 1 ? adaptive_avg_pool1d(x, size) : adaptive_avg_pool2d(x, size); },
           py::arg("input"), py::arg("output_size"));
    nn.def(d == 1 ? "adaptive_max_pool1d" : "adaptive_max_pool2d",
           [d](const Tensor& x, Dims size, bool return_indices) -> py::object {
             auto [v, i] = d == 1 ? adaptive_max_pool1d(x, size) : adaptive_max_pool2d(x, size);
             if (return_indices) return py::make_tuple(v, i);
             return py::cast(v);
           },
           py::arg("input"), py::arg("output_size"), py::arg("return_indices") = false);
  }

  // ---- normalisation, embedding, dropout --------------------------------------------------------------
  nn.def("batch_norm",
         [](const Tensor& x, OptTensor running_mean, OptTensor running_var, OptTensor w, OptTensor b, bool training,
            double momentum, double eps) {
           return batch_norm(x, or_undefined(w), or_undefined(b), or_undefined(running_mean), or_undefined(running_var),
                             training, momentum, eps);
         },
         py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight") = py::none(),
         py::arg("bias") = py::none(), py::arg("training") = false, py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  nn.def("layer_norm",
         [](const Tensor& x, Dims shape, OptTensor w, OptTensor b, double eps) {
           return layer_norm(x, shape, or_undefined(w), or_undefined(b), eps);
         },
         py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
         py::arg("eps") = 1e-5);
  nn.def("group_norm",
         [](const Tensor& x, int64_t groups, OptTensor w, OptTensor b, double eps) {
           return group_norm(x, groups, or_undefined(w), or_undefined(b), eps);
         },
         py::arg("input"), py::arg("num_groups"), py::arg("weight") = py::none(), py::arg("bias") = py::none(),
         py::arg("eps") = 1e-5);
  nn.def("embedding",
         [](const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx, py::object max_norm,
            double, bool, bool) {
           if (!max_norm.is_none()) throw ember::NotImplementedError("embedding(): max_norm is not supported yet");
           return embedding(weight, input, padding_idx);
         },
         py::arg("input"), py::arg("weight"), py::arg("padding_idx") = py::none(), py::arg("max_norm") = py::none(),
         py::arg("norm_type") = 2.0, py::arg("scale_grad_by_freq") = false, py::arg("sparse") = false);
  nn.def("dropout", [](const Tensor& x, double p, bool training, bool inplace) {
    EMBER_CHECK_VALUE(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
    return F::detail::dropout(x, p, training, inplace);
  }, py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true, py::arg("inplace") = false);
  nn.def("alpha_dropout", [](const Tensor& x, double p, bool training, bool inplace) {
    return F::detail::alpha_dropout(x, p, training, inplace);
  }, py::arg("input"), py::arg("p") = 0.5, py::arg("training") = false, py::arg("inplace") = false);

  // ---- losses ---------------------------------------------------------------------------------------
  nn.def("mse_loss", [](const Tensor& x, const Tensor& y, py::object sa, py::object r, const std::string& reduction) {
    return F::mse_loss(x, y, F::MSELossFuncOptions().reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input"), py::arg("target"), EMBER_LOSS_REDUCTION_ARGS);
  nn.def("l1_loss", [](const Tensor& x, const Tensor& y, py::object sa, py::object r, const std::string& reduction) {
    return F::l1_loss(x, y, F::L1LossFuncOptions().reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input"), py::arg("target"), EMBER_LOSS_REDUCTION_ARGS);
  nn.def("smooth_l1_loss", [](const Tensor& x, const Tensor& y, py::object sa, py::object r,
                              const std::string& reduction, double beta) {
    return F::smooth_l1_loss(x, y, F::SmoothL1LossFuncOptions().reduction(reduction_of(reduction, sa, r)).beta(beta));
  }, py::arg("input"), py::arg("target"), EMBER_LOSS_REDUCTION_ARGS, py::arg("beta") = 1.0);
  nn.def("huber_loss", [](const Tensor& x, const Tensor& y, const std::string& reduction, double delta) {
    return F::huber_loss(x, y, F::HuberLossFuncOptions().reduction(reduction_of(reduction)).delta(delta));
  }, py::arg("input"), py::arg("target"), py::arg("reduction") = "mean", py::arg("delta") = 1.0);
  nn.def("binary_cross_entropy", [](const Tensor& x, const Tensor& y, OptTensor w, py::object sa, py::object r,
                                    const std::string& reduction) {
    return F::binary_cross_entropy(
        x, y, F::BinaryCrossEntropyFuncOptions().weight(or_undefined(w)).reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(), EMBER_LOSS_REDUCTION_ARGS);
  nn.def("binary_cross_entropy_with_logits", [](const Tensor& x, const Tensor& y, OptTensor w, py::object sa,
                                                py::object r, const std::string& reduction, OptTensor pos_weight) {
    return F::binary_cross_entropy_with_logits(x, y, F::BinaryCrossEntropyWithLogitsFuncOptions()
                                                         .weight(or_undefined(w))
                                                         .reduction(reduction_of(reduction, sa, r))
                                                         .pos_weight(or_undefined(pos_weight)));
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(), EMBER_LOSS_REDUCTION_ARGS,
     py::arg("pos_weight") = py::none());
  nn.def("nll_loss", [](const Tensor& x, const Tensor& y, OptTensor w, py::object sa, int64_t ignore_index,
                        py::object r, const std::string& reduction) {
    return F::nll_loss(x, y, F::NLLLossFuncOptions().weight(or_undefined(w)).ignore_index(ignore_index)
                                 .reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
     py::arg("ignore_index") = -100, py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  nn.def("cross_entropy", [](const Tensor& x, const Tensor& y, OptTensor w, py::object sa, int64_t ignore_index,
                             py::object r, const std::string& reduction, double label_smoothing) {
    return F::cross_entropy(x, y, F::CrossEntropyFuncOptions().weight(or_undefined(w)).ignore_index(ignore_index)
                                      .reduction(reduction_of(reduction, sa, r)).label_smoothing(label_smoothing));
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
     py::arg("ignore_index") = -100, py::arg("reduce") = py::none(), py::arg("reduction") = "mean",
     py::arg("label_smoothing") = 0.0);
  nn.def("kl_div", [](const Tensor& x, const Tensor& y, py::object sa, py::object r, const std::string& reduction,
                      bool log_target) {
    F::KLDivFuncOptions o;
    if (reduction == "batchmean" && sa.is_none() && r.is_none()) o.reduction(kBatchMean);
    else o.reduction(reduction_of(reduction, sa, r));
    return F::kl_div(x, y, o.log_target(log_target));
  }, py::arg("input"), py::arg("target"), EMBER_LOSS_REDUCTION_ARGS, py::arg("log_target") = false);

  nn.def("margin_ranking_loss", [](const Tensor& a, const Tensor& b, const Tensor& y, double margin, py::object sa,
                                   py::object r, const std::string& reduction) {
    return F::margin_ranking_loss(
        a, b, y, F::MarginRankingLossFuncOptions().margin(margin).reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input1"), py::arg("input2"), py::arg("target"), py::arg("margin") = 0.0, EMBER_LOSS_REDUCTION_ARGS);
  nn.def("cosine_embedding_loss", [](const Tensor& a, const Tensor& b, const Tensor& y, double margin, py::object sa,
                                     py::object r, const std::string& reduction) {
    return F::cosine_embedding_loss(
        a, b, y, F::CosineEmbeddingLossFuncOptions().margin(margin).reduction(reduction_of(reduction, sa, r)));
  }, py::arg("input1"), py::arg("input2"), py::arg("target"), py::arg("margin") = 0.0, EMBER_LOSS_REDUCTION_ARGS);

  // ---- nn.init's fills that are more than one tensor op (ember/nn/init.h) --------------------------
  nn.def("init_trunc_normal_", [](const Tensor& t, double mean, double std, double a, double b) {
    return ember::nn::init::trunc_normal_(t, mean, std, a, b);
  });
  nn.def("init_eye_", [](const Tensor& t) { return ember::nn::init::eye_(t); });
  nn.def("init_dirac_", [](const Tensor& t, int64_t groups) { return ember::nn::init::dirac_(t, groups); });
  nn.def("init_orthogonal_", [](const Tensor& t, double gain) { return ember::nn::init::orthogonal_(t, gain); });

  // ---- the rest of nn.functional --------------------------------------------------------------------------
  nn.def("gelu", [](const Tensor& x, const std::string& approximate) { return gelu(x, approximate); },
         py::arg("input"), py::arg("approximate") = "none");
  nn.def("prelu", [](const Tensor& x, const Tensor& w) { return F::prelu(x, w); }, py::arg("input"), py::arg("weight"));
  nn.def("glu", [](const Tensor& x, int64_t dim) { return F::glu(x, F::GLUFuncOptions(dim)); }, py::arg("input"),
         py::arg("dim") = -1);
  nn.def("softsign", [](const Tensor& x) { return F::softsign(x); }, py::arg("input"));
  nn.def("tanhshrink", [](const Tensor& x) { return F::tanhshrink(x); }, py::arg("input"));
  nn.def("hardshrink", [](const Tensor& x, double l) { return F::hardshrink(x, F::HardshrinkFuncOptions().lambda(l)); },
         py::arg("input"), py::arg("lambd") = 0.5);
  nn.def("softshrink", [](const Tensor& x, double l) { return F::softshrink(x, F::SoftshrinkFuncOptions().lambda(l)); },
         py::arg("input"), py::arg("lambd") = 0.5);
  nn.def("one_hot", [](const Tensor& x, int64_t n) { return F::one_hot(x, n); }, py::arg("tensor"),
         py::arg("num_classes") = -1);
  nn.def("normalize", [](const Tensor& x, double p, int64_t dim, double eps) {
    return F::normalize(x, F::NormalizeFuncOptions().p(p).dim(dim).eps(eps));
  }, py::arg("input"), py::arg("p") = 2.0, py::arg("dim") = 1, py::arg("eps") = 1e-12);
  nn.def("cosine_similarity", [](const Tensor& a, const Tensor& b, int64_t dim, double eps) {
    return F::cosine_similarity(a, b, F::CosineSimilarityFuncOptions().dim(dim).eps(eps));
  }, py::arg("x1"), py::arg("x2"), py::arg("dim") = 1, py::arg("eps") = 1e-8);
  nn.def("pairwise_distance", [](const Tensor& a, const Tensor& b, double p, double eps, bool keepdim) {
    return F::pairwise_distance(a, b, F::PairwiseDistanceFuncOptions().p(p).eps(eps).keepdim(keepdim));
  }, py::arg("x1"), py::arg("x2"), py::arg("p") = 2.0, py::arg("eps") = 1e-6, py::arg("keepdim") = false);
  nn.def("pad", [](const Tensor& x, Dims pad, const std::string& mode, std::optional<double> value) {
    F::PadFuncOptions o(std::vector<int64_t>(pad.dims.begin(), pad.dims.end()));
    if (mode == "constant") o.mode(kConstant);
    else if (mode == "reflect") o.mode(kReflect);
    else if (mode == "replicate") o.mode(kReplicate);
    else if (mode == "circular") o.mode(kCircular);
    else throw ember::NotImplementedError("pad(): mode '" + mode + "' is not supported");
    if (value) o.value(*value);
    return F::pad(x, o);
  }, py::arg("input"), py::arg("pad"), py::arg("mode") = "constant", py::arg("value") = py::none());
  // F.interpolate after torch's Python argument handling (ember.nn.functional.interpolate):
  // size / scale_factor already one entry per spatial dimension; modes nearest and bilinear.
  nn.def("interpolate", [](const Tensor& x, std::optional<std::vector<int64_t>> size,
                           std::optional<std::vector<double>> scale_factor, const std::string& mode,
                           std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor) {
    F::InterpolateFuncOptions o;
    if (mode == "nearest") o.mode(kNearest);
    else if (mode == "bilinear") o.mode(kBilinear);
    else throw ember::NotImplementedError("interpolate(): mode '" + mode + "' is not supported by ember (nearest and "
                                          "bilinear are)");
    o.size(std::move(size)).scale_factor(std::move(scale_factor)).align_corners(align_corners);
    o.recompute_scale_factor(recompute_scale_factor);
    return F::interpolate(x, o);
  }, py::arg("input"), py::arg("size") = py::none(), py::arg("scale_factor") = py::none(),
     py::arg("mode") = "nearest", py::arg("align_corners") = py::none(),
     py::arg("recompute_scale_factor") = py::none());
  // torchvision's tensor resize: [..., H, W] to size {h, w} with upsample_bilinear2d's
  // rounding (align_corners=false) in float32 (float64 for float64), rounded back to integer
  // dtypes (ember.vision.transforms.functional_tensor.resize).
  nn.def("_resize_image", [](const Tensor& image, std::vector<int64_t> size, const std::string& mode) {
    if (mode != "bilinear" && mode != "nearest")
      throw ember::ValueError("_resize_image: mode must be nearest or bilinear");
    return data::transforms::functional::resize(image, size, mode == "bilinear" ? kBilinear : kNearest);
  }, py::arg("image"), py::arg("size"), py::arg("mode") = "bilinear");
}

}  // namespace ember::python
