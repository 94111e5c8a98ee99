// Registers this ISA copy's kernels (Note [CPU capability dispatch]). Every kernel family
// TU adds its register_<family>() here.
#include "ember/cpu/kernels/kernel_prelude.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
void register_unary();
void register_binary();
void register_copy();
void register_random();
void register_reduce();
void register_scan();
void register_softmax();
void register_sort();
void register_index();
void register_activation();
void register_conv();
void register_pool();
void register_optim();
}  // namespace EMBER_CPU_NS

void EMBER_CPU_REGISTER_FN() {
  EMBER_CPU_NS::register_unary();
  EMBER_CPU_NS::register_binary();
  EMBER_CPU_NS::register_copy();
  EMBER_CPU_NS::register_random();
  EMBER_CPU_NS::register_reduce();
  EMBER_CPU_NS::register_scan();
  EMBER_CPU_NS::register_softmax();
  EMBER_CPU_NS::register_sort();
  EMBER_CPU_NS::register_index();
  EMBER_CPU_NS::register_activation();
  EMBER_CPU_NS::register_conv();
  EMBER_CPU_NS::register_pool();
  EMBER_CPU_NS::register_optim();
}
}  // namespace ember::cpu
