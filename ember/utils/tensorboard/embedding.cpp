// add_embedding: the files of TensorBoard's projector plugin, as PyTorch writes them.
// <log_dir>/<step:05d>/<tag>/tensors.tsv holds the points (one row each, tab-separated),
// metadata.tsv their labels, sprite.png a square grid of label images, and
// <log_dir>/projector_config.pbtxt lists every embedding written by this writer (text
// format, rewritten whole each time: file systems need not support appends).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/data/image.h"
#include "ember/utils/tensorboard/record_writer.h"
#include "ember/utils/tensorboard/summary_writer.h"

namespace ember::utils::tensorboard {
namespace {

// Python's repr of a float (shortest round-trip), which PyTorch's str(x.item()) prints.
std::string python_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// writer._encode: '%', '/' and '\' in a tag become %25, %2f, %5c.
std::string encode_tag(const std::string& tag) {
  std::string out;
  for (char c : tag) {
    if (c == '%') out += "%25";
    else if (c == '/') out += "%2f";
    else if (c == '\\') out += "%5c";
    else out += c;
  }
  return out;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  EMBER_CHECK(f.good(), "add_embedding: cannot write ", path);
  f << bytes;
  EMBER_CHECK(f.good(), "add_embedding: cannot write ", path);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// make_sprite: the images in a grid of ceil(sqrt(N)) columns on a square black canvas,
// scaled by 255 and clipped.
Tensor sprite(const Tensor& label_img) {
  EMBER_CHECK_VALUE(label_img.dim() == 4, "add_embedding: label_img must be [N, C, H, W], got ", label_img.sizes());
  Tensor img = label_img.detach().cpu().to(kFloat64);
  if (img.size(1) == 1) img = img.expand({img.size(0), 3, img.size(2), img.size(3)});
  EMBER_CHECK_VALUE(img.size(1) == 3, "add_embedding: label_img must have 1 or 3 channels, got ", img.size(1));
  const int64_t n = img.size(0), h = img.size(2), w = img.size(3);
  const int64_t ncols = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int64_t side = ncols * w;
  Tensor canvas = zeros({side, side, 3}, TensorOptions(kFloat64));
  Tensor nhwc = img.permute({0, 2, 3, 1});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = i / ncols, x = i % ncols;
    if ((y + 1) * h > side) break;
    canvas.slice(0, y * h, (y + 1) * h).slice(1, x * w, (x + 1) * w).copy_(nhwc.select(0, i));
  }
  Tensor scaled = canvas.mul(255.0).clamp(0.0, 255.0).to(kUInt8);
  return scaled.permute({2, 0, 1});
}

}  // namespace

void SummaryWriter::add_embedding(const Tensor& mat, const std::vector<std::string>& metadata,
                                  const Tensor& label_img, Step global_step, const std::string& tag,
                                  const std::vector<std::string>& metadata_header) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : metadata) rows.push_back({m});
  if (!metadata_header.empty()) {
    add_embedding(mat, rows, metadata_header, label_img, global_step, tag);
    return;
  }
  add_embedding(mat, rows, {}, label_img, global_step, tag);
}

void SummaryWriter::add_embedding(const Tensor& mat, const std::vector<std::vector<std::string>>& metadata,
                                  const std::vector<std::string>& metadata_header, const Tensor& label_img,
                                  Step global_step, const std::string& tag) {
  EMBER_CHECK_VALUE(mat.dim() == 2, "mat should be 2D, where mat.size(0) is the number of data points");
  const int64_t step = global_step.value_or(0);
  char step_text[32];
  std::snprintf(step_text, sizeof(step_text), "%05lld", static_cast<long long>(step));
  const std::string subdir = std::string(step_text) + "/" + encode_tag(tag);
  const std::string save_path = log_dir_ + "/" + subdir;
  make_dirs(save_path);

  const bool has_metadata = !metadata.empty();
  if (has_metadata) {
    EMBER_CHECK_VALUE(static_cast<int64_t>(metadata.size()) == mat.size(0), "#labels should equal with #data points");
    std::string tsv;
    if (!metadata_header.empty()) {
      EMBER_CHECK_VALUE(metadata_header.size() == metadata[0].size(),
                        "len of header must be equal to the number of columns in metadata");
      for (size_t i = 0; i < metadata_header.size(); ++i) tsv += (i ? "\t" : "") + metadata_header[i];
      tsv += "\n";
    }
    for (const auto& row : metadata) {
      for (size_t i = 0; i < row.size(); ++i) tsv += (i ? "\t" : "") + row[i];
      tsv += "\n";
    }
    write_file(save_path + "/metadata.tsv", tsv);
  }
  if (label_img.defined()) {
    EMBER_CHECK_VALUE(label_img.dim() >= 1 && label_img.size(0) == mat.size(0),
                      "#images should equal with #data points");
    data::write_png(save_path + "/sprite.png", sprite(label_img));
  }
  Tensor m = mat.detach().cpu().to(kFloat64).contiguous();
  const double* p = m.data_ptr<double>();
  std::string tsv;
  for (int64_t i = 0; i < m.size(0); ++i) {
    for (int64_t j = 0; j < m.size(1); ++j) tsv += (j ? "\t" : "") + python_repr(p[i * m.size(1) + j]);
    tsv += "\n";
  }
  write_file(save_path + "/tensors.tsv", tsv);

  std::string info = "embeddings {\n  tensor_name: " + quoted(tag + ":" + step_text) + "\n  tensor_path: " +
                     quoted(subdir + "/tensors.tsv") + "\n";
  if (has_metadata) info += "  metadata_path: " + quoted(subdir + "/metadata.tsv") + "\n";
  if (label_img.defined()) {
    info += "  sprite {\n    image_path: " + quoted(subdir + "/sprite.png") + "\n    single_image_dim: " +
            std::to_string(label_img.size(3)) + "\n    single_image_dim: " + std::to_string(label_img.size(2)) +
            "\n  }\n";
  }
  info += "}\n";
  projector_config_ += info;
  write_file(log_dir_ + "/projector_config.pbtxt", projector_config_);
}

}  // namespace ember::utils::tensorboard
