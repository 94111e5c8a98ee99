#include "ember/data/datasets/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/data/image.h"
#include "ember/ops/factory.h"

namespace ember::data::datasets {

namespace fs = std::filesystem;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has_extension(const std::string& name, const std::vector<std::string>& exts) {
  std::string l = lower(name);
  for (const std::string& e : exts)
    if (l.size() >= e.size() && l.compare(l.size() - e.size(), e.size(), lower(e)) == 0) return true;
  return false;
}

// Every directory under `dir` (following symlinks, as os.walk(followlinks=True)) with its
// image files sorted.
void walk(const fs::path& dir, const std::vector<std::string>& exts,
          std::vector<std::pair<std::string, std::vector<std::string>>>& out, int depth = 0) {
  EMBER_CHECK(depth < 64, "ImageFolder: directories nested too deeply (a symlink loop?) at ", dir.string());
  std::vector<std::string> files;
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec)) {
    std::error_code e2;
    if (entry.is_directory(e2)) dirs.push_back(entry.path());
    else if (entry.is_regular_file(e2) && has_extension(entry.path().filename().string(), exts))
      files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  out.emplace_back(dir.string(), std::move(files));
  for (const fs::path& d : dirs) walk(d, exts, out, depth + 1);
}

// torchvision: for root, _, fnames in sorted(os.walk(d)): for fname in sorted(fnames), i.e.
// directories in the order of their path strings.
std::vector<std::string> find_images(const fs::path& dir, const std::vector<std::string>& exts) {
  std::vector<std::pair<std::string, std::vector<std::string>>> dirs;
  walk(dir, exts, dirs);
  std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, files] : dirs)
    for (const std::string& f : files) out.push_back((fs::path(d) / f).string());
  return out;
}
}  // namespace

const std::vector<std::string>& ImageFolder::default_extensions() {
  static const std::vector<std::string> exts = {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"};
  return exts;
}

ImageFolder::ImageFolder(const std::string& root, int channels, bool raw, std::vector<std::string> extensions)
    : root_(root), channels_(channels), raw_(raw) {
  EMBER_CHECK_VALUE(channels == 0 || channels == 1 || channels == 3 || channels == 4,
                    "ImageFolder: channels must be 0 (as stored), 1, 3 or 4, got ", channels);
  std::error_code ec;
  EMBER_CHECK(fs::is_directory(root, ec), "ImageFolder: directory ", root,
              " does not exist (expected one sub-directory of images per class)");
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::error_code e2;
    if (entry.is_directory(e2)) classes_.push_back(entry.path().filename().string());
  }
  std::sort(classes_.begin(), classes_.end());
  EMBER_CHECK(!classes_.empty(), "Couldn't find any class folder in ", root, ".");  // torchvision's wording
  std::vector<std::string> empty_classes;
  for (size_t c = 0; c < classes_.size(); ++c) {
    class_to_idx_[classes_[c]] = static_cast<int64_t>(c);
    std::vector<std::string> files = find_images(fs::path(root) / classes_[c], extensions);
    if (files.empty()) empty_classes.push_back(classes_[c]);
    for (std::string& f : files) samples_.emplace_back(std::move(f), static_cast<int64_t>(c));
  }
  if (!empty_classes.empty()) {
    std::string names, exts;
    for (const auto& n : empty_classes) names += (names.empty() ? "" : ", ") + n;
    for (const auto& e : extensions) exts += (exts.empty() ? "" : ", ") + e;
    EMBER_THROW(Error, "Found no valid file for the classes ", names, ". Supported extensions are: ", exts);
  }
}

Example<> ImageFolder::get(size_t index) {
  EMBER_CHECK_INDEX(index < samples_.size(), "index ", index, " is out of range for a dataset of size ",
                    samples_.size());
  const auto& [path, label] = samples_[index];
  Tensor image = read_image(path, channels_);
  if (!raw_) image = image.to(kFloat32).div(255);
  return {image, scalar_tensor(label, TensorOptions(kInt64))};
}

std::vector<int64_t> ImageFolder::targets() const {
  std::vector<int64_t> t;
  t.reserve(samples_.size());
  for (const auto& s : samples_) t.push_back(s.second);
  return t;
}

}  // namespace ember::data::datasets
