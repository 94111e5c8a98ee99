#pragma once
// ember's error hierarchy. Every user mistake throws one of these; each maps to the
// Python exception PyTorch raises for the same mistake (see DESIGN.md, Errors).
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class IndexError : public Error { public: using Error::Error; };            // IndexError
class ValueError : public Error { public: using Error::Error; };            // ValueError
class TypeError : public Error { public: using Error::Error; };             // TypeError
class NotImplementedError : public Error { public: using Error::Error; };   // NotImplementedError
class LinAlgError : public Error { public: using Error::Error; };           // RuntimeError subclass

namespace detail {
inline void append_all(std::ostringstream&) {}
template <class T, class... Rest>
void append_all(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  append_all(os, rest...);
}
// Built only on the failure path, so a passing check costs one branch.
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  append_all(os, args...);
  return os.str();
}
}  // namespace detail

}  // namespace ember

// EMBER_CHECK(cond, parts...) throws ember::Error (Python RuntimeError) when cond is false.
#define EMBER_CHECK_AS(ErrType, cond, ...)                                  \
  do {                                                                      \
    if (__builtin_expect(!(cond), 0))                                       \
      throw ::ember::ErrType(::ember::detail::str_cat(__VA_ARGS__));         \
  } while (0)
#define EMBER_CHECK(cond, ...) EMBER_CHECK_AS(Error, cond, __VA_ARGS__)
#define EMBER_CHECK_INDEX(cond, ...) EMBER_CHECK_AS(IndexError, cond, __VA_ARGS__)
#define EMBER_CHECK_VALUE(cond, ...) EMBER_CHECK_AS(ValueError, cond, __VA_ARGS__)
#define EMBER_CHECK_TYPE(cond, ...) EMBER_CHECK_AS(TypeError, cond, __VA_ARGS__)
#define EMBER_THROW(ErrType, ...) throw ::ember::ErrType(::ember::detail::str_cat(__VA_ARGS__))
