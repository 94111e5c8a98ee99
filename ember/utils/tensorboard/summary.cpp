#include "ember/utils/tensorboard/summary.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/data/image.h"

namespace ember::utils::tensorboard {

const std::vector<double>& default_bins() {
  static const std::vector<double> edges = [] {
    std::vector<double> positive;
    for (double v = 1e-12; v < 1e20; v *= 1.1) positive.push_back(v);
    std::vector<double> all;
    all.reserve(2 * positive.size() + 1);
    for (auto it = positive.rbegin(); it != positive.rend(); ++it) all.push_back(-*it);
    all.push_back(0.0);
    all.insert(all.end(), positive.begin(), positive.end());
    return all;
  }();
  return edges;
}

namespace {

std::vector<double> to_doubles(const Tensor& t) {
  Tensor d = t.detach().cpu().to(kFloat64).contiguous();
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

// numpy.linspace(start, stop, n + 1): step multiplication, last value exact.
std::vector<double> linspace_edges(double first, double last, int64_t bins) {
  std::vector<double> e(static_cast<size_t>(bins) + 1);
  const double step = (last - first) / static_cast<double>(bins);
  for (int64_t i = 0; i <= bins; ++i) e[i] = static_cast<double>(i) * step + first;
  e[bins] = last;
  return e;
}

// numpy.histogram's counting: bin i holds edges[i] <= v < edges[i+1], the last bin also
// v == edges.back(); values outside the edges (and NaN) are not counted.
std::vector<double> count(const std::vector<double>& v, const std::vector<double>& edges) {
  std::vector<double> counts(edges.size() - 1, 0.0);
  const double lo = edges.front(), hi = edges.back();
  for (double x : v) {
    if (!(x >= lo && x <= hi)) continue;
    size_t i = static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
    i = i == 0 ? 0 : i - 1;
    if (i >= counts.size()) i = counts.size() - 1;
    counts[i] += 1;
  }
  return counts;
}

}  // namespace

HistogramProto make_histogram(const Tensor& values, const HistogramBins& bins, std::optional<int64_t> max_bins) {
  std::vector<double> v = to_doubles(values);
  EMBER_CHECK_VALUE(!v.empty(), "The input has no element.");
  std::vector<double> edges;
  if (const auto* name = std::get_if<std::string>(&bins)) {
    EMBER_CHECK_VALUE(*name == "tensorflow", "add_histogram: bins must be 'tensorflow' or a number of bins, got '",
                      *name, "'");
    edges = default_bins();
  } else {
    const int64_t n = std::get<int64_t>(bins);
    EMBER_CHECK_VALUE(n >= 1, "`bins` must be positive, when an integer");
    double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
    for (double x : v) {
      EMBER_CHECK_VALUE(std::isfinite(x), "autodetected range of [", lo, ", ", hi, "] is not finite");
    }
    if (lo == hi) lo -= 0.5, hi += 0.5;
    edges = linspace_edges(lo, hi, n);
  }
  std::vector<double> counts = count(v, edges);

  EMBER_CHECK_VALUE(!max_bins || *max_bins >= 1, "add_histogram: max_bins must be positive, got ",
                    max_bins.value_or(0));
  if (max_bins && static_cast<int64_t>(counts.size()) > *max_bins) {
    const size_t k = counts.size() / static_cast<size_t>(*max_bins);
    const size_t groups = (counts.size() + k - 1) / k;
    std::vector<double> merged(groups, 0.0), merged_edges;
    for (size_t i = 0; i < counts.size(); ++i) merged[i / k] += counts[i];
    for (size_t i = 0; i + 1 < edges.size(); i += k) merged_edges.push_back(edges[i]);
    merged_edges.push_back(edges.back());
    counts = std::move(merged);
    edges = std::move(merged_edges);
  }

  // Trim to the support; each count is paired with its bin's right edge, and the first
  // bucket is an empty one ending at the support's left edge.
  size_t start = counts.size(), last = 0;
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i] > 0) {
      start = std::min(start, i);
      last = i;
    }
  EMBER_CHECK_VALUE(start < counts.size(), "The histogram is empty, please file a bug report.");
  const size_t end = last + 1;
  HistogramProto h;
  double sum = 0, sum_squares = 0, lo = v[0], hi = v[0];
  for (double x : v) {
    sum += x;
    sum_squares += x * x;
    if (std::isnan(x) || std::isnan(lo)) lo = hi = std::numeric_limits<double>::quiet_NaN();
    else lo = std::min(lo, x), hi = std::max(hi, x);
  }
  h.set_min(lo);
  h.set_max(hi);
  h.set_num(static_cast<double>(v.size()));
  h.set_sum(sum);
  h.set_sum_squares(sum_squares);
  if (start > 0) {
    for (size_t i = start - 1; i < end; ++i) h.add_bucket(counts[i]);
  } else {
    h.add_bucket(0.0);
    for (size_t i = 0; i < end; ++i) h.add_bucket(counts[i]);
  }
  for (size_t i = start; i < end + 1; ++i) h.add_bucket_limit(edges[i]);
  return h;
}

Tensor image_to_hwc_uint8(const Tensor& image, const std::string& dataformats) {
  std::string fmt = dataformats;
  for (char& c : fmt) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < fmt.size(); ++i)
    EMBER_CHECK_VALUE(fmt.find(fmt[i]) == i,
                      "You can not use the same dimension shordhand twice. input_format: ", dataformats);
  EMBER_CHECK_VALUE(image.dim() == static_cast<int64_t>(fmt.size()),
                    "size of input tensor and input format are different. tensor shape: ", image.sizes(),
                    ", input_format: ", dataformats);
  auto order = [&](const char* target) {
    std::vector<int64_t> index;
    for (const char* c = target; *c; ++c) {
      auto pos = fmt.find(*c);
      EMBER_CHECK_VALUE(pos != std::string::npos, "add_image: dataformats '", dataformats, "' lacks '", *c, "'");
      index.push_back(static_cast<int64_t>(pos));
    }
    return index;
  };
  Tensor t = image.detach().cpu();
  Tensor hwc;
  if (fmt.size() == 4) {
    Tensor nchw = t.permute(order("NCHW"));
    if (nchw.size(1) == 1) nchw = nchw.expand({nchw.size(0), 3, nchw.size(2), nchw.size(3)});
    EMBER_CHECK_VALUE(nchw.size(1) == 3, "add_images: expected 1 or 3 channels per image, got ", nchw.size(1));
    // make_grid: up to 8 images a row, zero background, row-major.
    const int64_t n = nchw.size(0), h = nchw.size(2), w = nchw.size(3);
    const int64_t ncols = std::max<int64_t>(std::min<int64_t>(n, 8), 1), nrows = (n + ncols - 1) / ncols;
    Tensor canvas = zeros({nrows * h, ncols * w, 3}, TensorOptions(nchw.dtype()));
    Tensor nhwc = nchw.permute({0, 2, 3, 1});
    for (int64_t i = 0; i < n; ++i) {
      const int64_t y = i / ncols, x = i % ncols;
      canvas.slice(0, y * h, (y + 1) * h).slice(1, x * w, (x + 1) * w).copy_(nhwc.select(0, i));
    }
    hwc = canvas;
  } else if (fmt.size() == 3) {
    hwc = t.permute(order("HWC"));
    if (hwc.size(2) == 1) hwc = hwc.expand({hwc.size(0), hwc.size(1), 3});
  } else if (fmt.size() == 2) {
    hwc = t.permute(order("HW")).unsqueeze(2).expand({-1, -1, 3});
  } else {
    EMBER_CHECK_VALUE(false, "add_image: dataformats must have 2, 3 or 4 letters, got '", dataformats, "'");
  }
  const int64_t channels = hwc.size(2);
  EMBER_CHECK_VALUE(channels == 3 || channels == 4, "add_image: expected 1, 3 or 4 channels, got ", channels);
  if (hwc.dtype() == kUInt8) return hwc.contiguous();
  // summary.image: astype(float32) * 255, clip to [0, 255], astype(uint8) truncates.
  Tensor f = hwc.to(kFloat32).contiguous();
  Tensor out = empty(f.sizes(), TensorOptions(kUInt8));
  const float* src = f.data_ptr<float>();
  uint8_t* dst = out.data_ptr<uint8_t>();
  for (int64_t i = 0, n = f.numel(); i < n; ++i) {
    float x = src[i] * 255.0f;
    x = std::isnan(x) ? 0.0f : std::min(std::max(x, 0.0f), 255.0f);
    dst[i] = static_cast<uint8_t>(x);
  }
  return out;
}

Summary::Image make_image(const Tensor& hwc) {
  Summary::Image img;
  img.set_height(static_cast<int32_t>(hwc.size(0)));
  img.set_width(static_cast<int32_t>(hwc.size(1)));
  img.set_colorspace(static_cast<int32_t>(hwc.size(2)));
  img.set_encoded_image_string(data::encode_png(hwc.permute({2, 0, 1})));
  return img;
}

Summary::Value text_value(const std::string& tag, const std::string& text) {
  Summary::Value v;
  v.set_tag(tag + "/text_summary");
  auto* plugin = v.mutable_metadata()->mutable_plugin_data();
  plugin->set_plugin_name("text");
  plugin->set_content(TextPluginData().SerializeAsString());  // version 0: empty
  auto* t = v.mutable_tensor();
  t->set_dtype(DT_STRING);
  t->mutable_tensor_shape()->add_dim()->set_size(1);
  t->add_string_val(text);
  return v;
}

Summary::Value pr_curve_header(const std::string& tag, uint32_t num_thresholds, int64_t columns) {
  Summary::Value v;
  v.set_tag(tag);
  PrCurvePluginData pd;
  pd.set_version(0);
  pd.set_num_thresholds(num_thresholds);
  auto* plugin = v.mutable_metadata()->mutable_plugin_data();
  plugin->set_plugin_name("pr_curves");
  plugin->set_content(pd.SerializeAsString());
  auto* t = v.mutable_tensor();
  t->set_dtype(DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(6);
  t->mutable_tensor_shape()->add_dim()->set_size(columns);
  return v;
}

Summary::Value pr_curve_value(const std::string& tag, const Tensor& labels, const Tensor& predictions,
                              int64_t num_thresholds, const Tensor& weights) {
  EMBER_CHECK_VALUE(num_thresholds >= 2, "add_pr_curve: num_thresholds must be at least 2, got ", num_thresholds);
  num_thresholds = std::min<int64_t>(num_thresholds, 127);  // as PyTorch: larger values break TensorBoard
  EMBER_CHECK_VALUE(labels.numel() == predictions.numel(), "add_pr_curve: labels has ", labels.numel(),
                    " elements but predictions has ", predictions.numel());
  std::vector<double> lab = to_doubles(labels), w;
  if (weights.defined()) {
    w = to_doubles(weights);
    EMBER_CHECK_VALUE(w.size() == lab.size() || w.size() == 1, "add_pr_curve: weights has ", w.size(),
                      " elements but labels has ", lab.size());
  }
  // bucket = floor(prediction * (n - 1)) in the predictions' own precision, as numpy does;
  // NaN and values far outside [0, 1] fall outside the histogram's range (-1 here).
  std::vector<int64_t> bucket(lab.size());
  auto to_bucket = [&](double b) {
    return std::isfinite(b) && b >= 0 && b <= static_cast<double>(num_thresholds - 1) ? static_cast<int64_t>(b)
                                                                                       : int64_t{-1};
  };
  Tensor p = predictions.detach().cpu();
  if (p.dtype() == kFloat64) {
    std::vector<double> pd = to_doubles(p);
    for (size_t i = 0; i < pd.size(); ++i)
      bucket[i] = to_bucket(std::floor(pd[i] * static_cast<double>(num_thresholds - 1)));
  } else {
    Tensor pf = p.to(kFloat32).contiguous();
    const float* pd = pf.data_ptr<float>();
    for (size_t i = 0; i < bucket.size(); ++i)
      bucket[i] = to_bucket(std::floor(pd[i] * static_cast<float>(num_thresholds - 1)));
  }
  const size_t n = static_cast<size_t>(num_thresholds);
  std::vector<double> tp(n, 0.0), fp(n, 0.0);
  for (size_t i = 0; i < lab.size(); ++i) {
    if (bucket[i] < 0 || bucket[i] > num_thresholds - 1) continue;  // outside np.histogram's range
    const double wi = w.empty() ? 1.0 : (w.size() == 1 ? w[0] : w[i]);
    tp[bucket[i]] += lab[i] * wi;
    fp[bucket[i]] += (1.0 - lab[i]) * wi;
  }
  for (size_t i = n - 1; i-- > 0;) {  // reverse cumulative sums
    tp[i] += tp[i + 1];
    fp[i] += fp[i + 1];
  }
  Summary::Value v = pr_curve_header(tag, static_cast<uint32_t>(num_thresholds), num_thresholds);
  auto* t = v.mutable_tensor();
  constexpr double kMinimumCount = 1e-7;
  for (int row = 0; row < 6; ++row)
    for (size_t i = 0; i < n; ++i) {
      const double tn = fp[0] - fp[i], fn = tp[0] - tp[i];
      double x = 0;
      switch (row) {
        case 0: x = tp[i]; break;
        case 1: x = fp[i]; break;
        case 2: x = tn; break;
        case 3: x = fn; break;
        case 4: x = tp[i] / std::max(kMinimumCount, tp[i] + fp[i]); break;
        case 5: x = tp[i] / std::max(kMinimumCount, tp[i] + fn); break;
      }
      t->add_float_val(static_cast<float>(x));
    }
  return v;
}

namespace {

Summary plugin_summary(const std::string& tag, const HParamsPluginData& content) {
  Summary s;
  auto* v = s.add_value();
  v->set_tag(tag);
  auto* plugin = v->mutable_metadata()->mutable_plugin_data();
  plugin->set_plugin_name("hparams");
  plugin->set_content(content.SerializeAsString());
  return s;
}

void set_value(google::protobuf::Value& out, const HParamValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) out.set_string_value(*s);
  else if (const auto* d = std::get_if<double>(&v)) out.set_number_value(*d);
  else if (const auto* i = std::get_if<int64_t>(&v)) out.set_number_value(static_cast<double>(*i));
  else out.set_number_value(std::get<bool>(v) ? 1.0 : 0.0);  // Python's bool is an int: PyTorch logs a number
}

}  // namespace

HParamsSummaries hparams(const std::vector<std::pair<std::string, HParamValue>>& hparam_dict,
                         const std::vector<std::string>& metric_names,
                         const std::map<std::string, std::vector<HParamValue>>& hparam_domain_discrete) {
  HParamsPluginData start;
  start.set_version(0);
  auto* ssi = start.mutable_session_start_info();
  HParamsPluginData experiment;
  experiment.set_version(0);
  auto* exp = experiment.mutable_experiment();
  for (const auto& [name, value] : hparam_dict) {
    set_value((*ssi->mutable_hparams())[name], value);
    auto* info = exp->add_hparam_infos();
    info->set_name(name);
    info->set_type(std::holds_alternative<std::string>(value) ? DATA_TYPE_STRING : DATA_TYPE_FLOAT64);
    auto domain = hparam_domain_discrete.find(name);
    if (domain != hparam_domain_discrete.end()) {
      auto* list = info->mutable_domain_discrete();
      for (const auto& d : domain->second) set_value(*list->add_values(), d);
    }
  }
  for (const auto& m : metric_names) exp->add_metric_infos()->mutable_name()->set_tag(m);
  HParamsPluginData end;
  end.set_version(0);
  end.mutable_session_end_info()->set_status(STATUS_SUCCESS);
  return {plugin_summary("_hparams_/experiment", experiment), plugin_summary("_hparams_/session_start_info", start),
          plugin_summary("_hparams_/session_end_info", end)};
}

}  // namespace ember::utils::tensorboard
