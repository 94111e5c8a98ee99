#pragma once
// The narrow interface through which op front ends (ops/) record autograd history. See
// Note [Recording autograd history].
#include <initializer_list>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/op_node.h"

namespace ember::autograd {

// Note [Recording autograd history]
// Every differentiable op front end, after computing its result with no autograd work,
// calls record(derivative, {&inputs...}, result, state, {saved...}):
//  - `derivative` is a row of the derivative table (derivatives*.h): the backward node's
//    name (PyTorch's grad_fn name) and its formula, which is defined, with the row, in
//    derivatives_*.cpp. Ops see only the declarations, as PyTorch's ops see Functions.h.
//  - `inputs` are the differentiable inputs, in the order the formula returns gradients.
//  - `state` is the formula's typed parameters (Note [Typed node state]); `{}` for NoState.
//  - `saved` are the tensors the formula reads with node.saved(i), in that order. A saved
//    tensor that is the result itself is saved as an output (Note [Saved output without
//    grad_fn]); an undefined one is saved as undefined.
// record first asks should_record(inputs): grad mode on and some input requires grad. Only
// then does it make the node (one allocation; next edges from the inputs), attach it to
// the result (set_history) and save the tensors, the result's after it joined the graph.
// So tensors that need no grad pay one branch per input and the building of the state on
// the stack (a state that would copy sizes on the path of a cheap op, such as a view, is
// passed as a callable instead, called only when recording). In-place ops record their
// out-of-place twin and then commit_inplace (Note [In-place on views]).
//
// What stays outside the generic entry, and why: record_unary/record_binary (derivatives.h),
// because the op table's rows pick the node name, the formula and what is saved from the
// op enum at run time, in code generated from core/op_list.h (they check should_record once
// and build the node with record's own detail::record_node);
// and commit_inplace, which does not give a fresh result a history but rewrites the
// history of an existing tensor and of its base (CopySlices, Note [In-place on views]).

// Note [Empty results keep their history]
// An op whose result is empty skips its kernel but still records: the result must report
// requires_grad and backward must reach the inputs (with empty gradients), as in PyTorch.
// So front ends never `return` before their record call just because numel() == 0.

inline bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->unsafeGetTensorImpl()->autograd_meta() && t->requires_grad()) return true;
  return false;
}
bool should_record(TensorList inputs);

// A row of the derivative table: the backward node's name and its formula. Rows are
// constants defined next to their formulas in derivatives_*.cpp and declared in
// derivatives*.h.
template <class State = NoState>
struct Derivative {
  const char* name;
  Formula<State> formula;
};

// Makes `output` (a fresh tensor) output `output_nr` of `node`.
void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);

// A tensor the formula reads back (node.saved(i)), or a list of optional ones (index's
// indices, nullopt saved as undefined), each taking the next slots. Refers to the caller's
// tensors for the duration of the record call only.
struct SaveArg {
  SaveArg(const Tensor& t) : tensor(&t) {}
  SaveArg(const std::vector<std::optional<Tensor>>& l) : list(&l) {}
  const Tensor* tensor = nullptr;
  const std::vector<std::optional<Tensor>>* list = nullptr;
};

namespace detail {
// The non-template halves of record(), so that a state instantiates only make_shared.
// Sets the node's next edges: the gradient edges of `inputs` (undefined: no edge).
void connect(OpNode& node, std::initializer_list<const Tensor*> inputs);
void connect(OpNode& node, TensorList inputs);
// set_history(result, node), then the saves (Note [Recording autograd history]).
void finish(std::shared_ptr<OpNode> node, const Tensor& result, std::initializer_list<SaveArg> saved);
}  // namespace detail

namespace detail {
// The recording half of record(): out of line, so that an op whose inputs need no grad
// pays only the inlined should_record check (and the building of its state). See
// Note [One instantiation per state].
template <class State, class Inputs>
[[gnu::noinline]] void record_node(const Derivative<State>& derivative, Inputs inputs, const Tensor& result,
                                   State&& state, std::initializer_list<SaveArg> saved) {
  std::shared_ptr<OpNode> node =
      std::make_shared<TypedOpNode<State>>(derivative.name, derivative.formula, std::move(state));
  connect(*node, inputs);
  finish(std::move(node), result, saved);
}
}  // namespace detail

// Note [One instantiation per state]
// detail::record_node<State> (with it the node type: make_shared, vtable, apply) is
// instantiated once, in the derivative file that defines the state's formulas
// (EMBER_INSTANTIATE_RECORD), and declared extern next to the state (EMBER_EXTERN_RECORD)
// in derivatives*.h. An op front end then compiles only the inlined check and a call: its
// translation unit, compile time and the compiler's inlining of its own hot code stay as
// they were with one out-of-line record_<op> function per op. (Used inside
// namespace ember::autograd; _LIST for states recorded with a TensorList of inputs.)
#define EMBER_RECORD_NODE_SIGNATURE(State, Inputs)                                                  \
  void detail::record_node<State, Inputs>(const Derivative<State>&, Inputs, const Tensor&, State&&, \
                                          std::initializer_list<SaveArg>)
#define EMBER_EXTERN_RECORD(State) \
  extern template EMBER_RECORD_NODE_SIGNATURE(State, std::initializer_list<const Tensor*>)
#define EMBER_EXTERN_RECORD_LIST(State) extern template EMBER_RECORD_NODE_SIGNATURE(State, TensorList)
#define EMBER_INSTANTIATE_RECORD(State) \
  template EMBER_RECORD_NODE_SIGNATURE(State, std::initializer_list<const Tensor*>)
#define EMBER_INSTANTIATE_RECORD_LIST(State) template EMBER_RECORD_NODE_SIGNATURE(State, TensorList)

// Note [Recording autograd history]. `inputs` as pointers, like should_record.
template <class State>
inline void record(const Derivative<State>& derivative, std::initializer_list<const Tensor*> inputs,
                   const Tensor& result, std::type_identity_t<State> state = {},
                   std::initializer_list<SaveArg> saved = {}) {
  if (should_record(inputs)) detail::record_node(derivative, inputs, result, std::move(state), saved);
}
// The same for a list of inputs (cat, stack).
template <class State>
inline void record(const Derivative<State>& derivative, TensorList inputs, const Tensor& result,
                   std::type_identity_t<State> state = {}, std::initializer_list<SaveArg> saved = {}) {
  if (should_record(inputs)) detail::record_node(derivative, inputs, result, std::move(state), saved);
}
// The same with the state made by `make_state()`, called only when recording: for states
// that copy sizes on the paths of cheap ops (views), which run without grad far more often.
template <class State, class MakeState>
  requires std::is_invocable_r_v<State, MakeState&>
inline void record(const Derivative<State>& derivative, std::initializer_list<const Tensor*> inputs,
                   const Tensor& result, MakeState&& make_state, std::initializer_list<SaveArg> saved = {}) {
  if (should_record(inputs)) detail::record_node(derivative, inputs, result, make_state(), saved);
}

// DimVector of a size, stride or dim list, for states.
inline DimVector dim_vector(IntArrayRef a) { return DimVector(a.begin(), a.end()); }

// Note [In-place on views]
// An in-place op on a tensor that requires grad (or whose new value does) is recorded as
// its out-of-place twin: `result` holds the new value and `node` its history. This copies
// the value into `self` and makes `node` self's history. When `self` is a view, its base's
// history is rewritten instead with a CopySlices node (the gradient of the base is the
// incoming gradient with the view's region replaced by what `node` gives), and the view
// becomes an as_strided view of the new base history. Leaves that require grad, and views
// of them, refuse in-place ops.
void check_inplace(const Tensor& self);
void commit_inplace(Tensor& self, const Tensor& result);

// A node with several outputs (split, unbind): results[i] becomes output i of one node,
// whose formula receives one gradient per output (undefined for an output that got none).
namespace detail {
template <class State>
void record_outputs_node(const Derivative<State>& derivative, std::initializer_list<const Tensor*> inputs,
                         TensorList results, State&& state) {
  std::shared_ptr<OpNode> node =
      std::make_shared<TypedOpNode<State>>(derivative.name, derivative.formula, std::move(state));
  connect(*node, inputs);
  for (size_t i = 0; i < results.size(); ++i) set_history(results[i], node, static_cast<uint32_t>(i));
}
}  // namespace detail
template <class State>
inline void record_outputs(const Derivative<State>& derivative, std::initializer_list<const Tensor*> inputs,
                           TensorList results, std::type_identity_t<State> state = {}) {
  if (should_record(inputs)) detail::record_outputs_node(derivative, inputs, results, std::move(state));
}

// Runs an op's implementation with recording off: a front end that records its own node
// must not also leave the nodes of the ops it is built from.
template <class F>
auto untracked(F&& f) {
  AutoGradMode off(false);
  return f();
}

}  // namespace ember::autograd
