#include "fuzz_cli.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace fuzz {

namespace {
[[noreturn]] void usage_exit(const char* usage, int code) {
  std::fputs(usage, code ? stderr : stdout);
  std::exit(code);
}
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}
uint64_t parse_u64(const std::string& s, const char* usage) {
  try {
    size_t used = 0;
    const uint64_t v = std::stoull(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  std::fprintf(stderr, "not a seed: '%s'\n", s.c_str());
  usage_exit(usage, 2);
}
}  // namespace

Options parse_options(int argc, char** argv, const char* usage) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        usage_exit(usage, 2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage_exit(usage, 0);
    } else if (a == "--seeds") {
      const std::string v = value();
      const size_t colon = v.find(':');
      if (colon == std::string::npos) {
        std::fprintf(stderr, "--seeds takes A:B\n");
        usage_exit(usage, 2);
      }
      o.first = parse_u64(v.substr(0, colon), usage);
      o.last = parse_u64(v.substr(colon + 1), usage);
    } else if (a == "--seed") {
      o.single = true;
      o.first = parse_u64(value(), usage);
      o.last = o.first + 1;
    } else if (a == "--print") {
      o.print = true;
    } else if (a == "--minimize") {
      o.minimize = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--trace") {
      o.trace = true;
    } else if (a == "--time-limit") {
      o.time_limit = std::atof(value().c_str());
    } else if (a == "--examples") {
      o.examples = std::atoi(value().c_str());
    } else if (a == "--family") {
      for (auto& f : split_commas(value())) o.families.push_back(f);
    } else if (a == "--op") {
      for (auto& f : split_commas(value())) o.ops.push_back(f);
    } else if (a == "--exclude") {
      for (auto& f : split_commas(value())) o.excluded.push_back(f);
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", a.c_str());
      usage_exit(usage, 2);
    }
  }
  if ((o.print || o.minimize) && !o.single) {
    std::fprintf(stderr, "--print and --minimize replay one seed: add --seed N\n");
    usage_exit(usage, 2);
  }
  return o;
}

std::vector<int> allowed_ops(const std::vector<OpSig>& sigs, const Options& o) {
  std::set<std::string> families, names;
  for (const auto& s : sigs) families.insert(s.family), names.insert(s.name);
  auto complain = [](const char* what, const std::string& bad, const std::set<std::string>& valid) {
    std::string list;
    for (const auto& v : valid) list += " " + v;
    std::fprintf(stderr, "unknown %s '%s'; choose from:%s\n", what, bad.c_str(), list.c_str());
    std::exit(2);
  };
  for (const auto& f : o.families)
    if (!families.count(f)) complain("family", f, families);
  for (const auto& n : o.ops)
    if (!names.count(n)) complain("op", n, names);
  for (const auto& n : o.excluded)
    if (!names.count(n) && !families.count(n)) complain("op or family", n, names);
  std::vector<int> allowed;
  for (size_t i = 0; i < sigs.size(); ++i) {
    const bool fam_ok = o.families.empty() || std::count(o.families.begin(), o.families.end(), sigs[i].family);
    const bool op_ok = o.ops.empty() || std::count(o.ops.begin(), o.ops.end(), sigs[i].name);
    const bool excluded = std::count(o.excluded.begin(), o.excluded.end(), sigs[i].name) ||
                          std::count(o.excluded.begin(), o.excluded.end(), sigs[i].family);
    if (!excluded && ((o.ops.empty() && fam_ok) || (!o.ops.empty() && op_ok && (o.families.empty() || fam_ok))))
      allowed.push_back(static_cast<int>(i));
  }
  if (allowed.empty()) {
    std::fprintf(stderr, "no op left to fuzz\n");
    std::exit(2);
  }
  return allowed;
}

std::string selection_flags(const Options& o) {
  std::string s;
  auto join = [](const std::vector<std::string>& v) {
    std::string r;
    for (size_t i = 0; i < v.size(); ++i) r += (i ? "," : "") + v[i];
    return r;
  };
  if (!o.families.empty()) s += " --family " + join(o.families);
  if (!o.ops.empty()) s += " --op " + join(o.ops);
  if (!o.excluded.empty()) s += " --exclude " + join(o.excluded);
  return s;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void print_failure(const char* tool, uint64_t seed, const Discrepancy& d, const Options& o) {
  std::printf("seed %llu: step %d %s: %s: %s\n  replay: %s --seed %llu --print%s\n", static_cast<unsigned long long>(seed),
              d.step, d.op.c_str(), kind_name(d.kind), d.detail.c_str(), tool, static_cast<unsigned long long>(seed),
              selection_flags(o).c_str());
}

}  // namespace fuzz
