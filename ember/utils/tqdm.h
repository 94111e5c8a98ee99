#pragma once
// tqdm(range): iterate anything with a progress bar (utils::ProgressBar), e.g. a DataLoader:
//
//   auto bar = ember::tqdm(loader, "epoch 1");
//   for (auto& batch : bar) {
//     ...
//     bar.set_postfix({{"loss", loss.item<double>()}, {"acc", acc}});
//   }
//
// The total is range.size() when the range has one. The count advances when an iteration
// finishes; the bar is closed when the wrapper is destroyed (also after a break).
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <string>
#include <utility>

#include "ember/utils/progress.h"

namespace ember {

template <class Range>
class Tqdm {
  using Inner = decltype(std::begin(std::declval<Range&>()));
  using InnerEnd = decltype(std::end(std::declval<Range&>()));

 public:
  Tqdm(Range&& range, std::string desc, std::FILE* out)
      : range_(std::forward<Range>(range)), bar_(total_of(range_), std::move(desc), out) {}

  class Iterator {
   public:
    Iterator(Inner it, utils::ProgressBar* bar) : it_(std::move(it)), bar_(bar) {}
    decltype(auto) operator*() const { return *it_; }
    Iterator& operator++() {
      bar_->update(1);
      ++it_;
      return *this;
    }
    bool operator==(const InnerEnd& end) const { return it_ == end; }
    bool operator!=(const InnerEnd& end) const { return !(it_ == end); }

   private:
    Inner it_;
    utils::ProgressBar* bar_;
  };

  Iterator begin() { return Iterator(std::begin(range_), &bar_); }
  InnerEnd end() { return std::end(range_); }

  void set_postfix(std::string postfix) { bar_.set_postfix(std::move(postfix)); }
  // "loss=0.4321, acc=0.871" from name/value pairs (4 significant digits).
  void set_postfix(std::initializer_list<std::pair<std::string, double>> values) {
    std::string s;
    char buf[64];
    for (const auto& [name, v] : values) {
      std::snprintf(buf, sizeof buf, "%.4g", v);
      s += (s.empty() ? "" : ", ") + name + "=" + buf;
    }
    bar_.set_postfix(std::move(s));
  }
  utils::ProgressBar& bar() { return bar_; }
  void close() { bar_.close(); }

 private:
  template <class R>
  static int64_t total_of(R& r) {
    if constexpr (requires { r.size(); }) return static_cast<int64_t>(r.size());
    else return 0;  // unknown: count and rate only
  }

  Range range_;  // a reference for lvalue ranges, the range itself for temporaries
  utils::ProgressBar bar_;
};

template <class Range>
Tqdm<Range> tqdm(Range&& range, std::string desc = "", std::FILE* out = stderr) {
  return Tqdm<Range>(std::forward<Range>(range), std::move(desc), out);
}

}  // namespace ember
