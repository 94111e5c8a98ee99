#pragma once
// The op catalogue, written once for both libraries.
//
// Note [One catalogue, two libraries]
// Each op is a row: its name and family, how many operands it takes from the program,
// a planner (draws Params from the operands' metadata; library-agnostic), a printer (the
// PyTorch C++ spelling, for listings) and `apply`, a function of the tensor type. `L` is
// a small policy (EmberLib in fuzz_ember.h, TorchLib in fuzz_torch.cpp) naming the tensor
// type and wrapping the few calls whose spelling differs (options structs, optionals,
// dtype enums). Everything else is spelled the same in both: ember's Tensor methods have
// LibTorch's names, and an unqualified free call (`where(c, a, b)`) finds ember::where or
// at::where by argument-dependent lookup. catalogue<L>() builds the rows in one order for
// every L, so an op's index means the same op on both sides, and the planner that runs is
// always the same code.
//
// apply's arguments are the operands followed by the planner's aux tensors (Params::aux);
// it returns every output (the primary one, Params::primary, becomes the step's value).
#include <string>
#include <vector>

#include "fuzz_plan.h"
#include "fuzz_program.h"

namespace fuzz {

using Names = std::vector<std::string>;
using PlanFn = void (*)(Rng&, const std::vector<Meta>&, Params&);
using PrintFn = std::string (*)(const Params&, const Names&);

template <class L>
using Tensors = std::vector<typename L::Tensor>;

template <class L>
struct OpDef {
  const char* name;
  const char* family;
  int arity;  // operands taken from the program's values
  PlanFn plan;
  PrintFn print;
  Tensors<L> (*apply)(const Tensors<L>& args, const Params& p);
  // Note [Ties]: the output at this position holds indices (sort, argsort, topk) that may
  // legitimately differ where the input has equal values; it is compared by the input
  // values it selects along dim p.i[0] of argument 0, and the VJP is skipped when the
  // indices differ.
  int tie_output = -1;
};

// ---- printing helpers ---------------------------------------------------------------------
inline std::string b_str(int64_t v) { return v ? "true" : "false"; }
inline std::string i_str(int64_t v) { return std::to_string(v); }
inline std::string d_str(double v) { return real_str(v); }
inline std::string l_str(const std::vector<int64_t>& v) { return list_str(v); }
inline std::string dt_str(DType t) { return dtype_cpp(t); }
inline std::string cat_all() { return {}; }
template <class A, class... R>
std::string cat_all(const A& a, const R&... rest) {
  return std::string(a) + cat_all(rest...);
}

}  // namespace fuzz

#include "fuzz_ops_elementwise.h"
#include "fuzz_ops_reduce.h"
#include "fuzz_ops_shape.h"
#include "fuzz_ops_index.h"
#include "fuzz_ops_nn.h"

namespace fuzz {

template <class L>
const std::vector<OpDef<L>>& catalogue() {
  static const std::vector<OpDef<L>> ops = [] {
    std::vector<OpDef<L>> v;
    add_elementwise_ops<L>(v);
    add_reduce_ops<L>(v);
    add_shape_ops<L>(v);
    add_index_ops<L>(v);
    add_nn_ops<L>(v);
    return v;
  }();
  return ops;
}

template <class L>
std::vector<OpSig> signatures() {
  std::vector<OpSig> sigs;
  for (const auto& op : catalogue<L>()) sigs.push_back({op.name, op.family, op.arity});
  return sigs;
}

}  // namespace fuzz
