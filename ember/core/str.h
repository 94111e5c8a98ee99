#pragma once
// ember::str(args...): LibTorch's variadic string builder (c10::str), e.g.
//   ember::save(sample, ember::str("dcgan-sample-", checkpoint, ".pt"));
// Each argument is written with its operator<<, so tensors, dtypes and devices print as
// they do on a stream.
#include <sstream>
#include <string>

namespace ember {

template <class... Args>
std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
// The common no-conversion cases return their argument, as c10::str does.
inline std::string str() { return {}; }
inline std::string str(const std::string& s) { return s; }
inline std::string str(const char* s) { return s; }

}  // namespace ember
