#pragma once
// The message of the ember::Error that f throws ("" if none), for tests that check an
// error's exact wording rather than only its type.
#include <string>

#include <ember/ember.h>

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ember::Error& e) {
    return e.what();
  }
  return "";
}
