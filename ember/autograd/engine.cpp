// The backward engine. See Note [Autograd graph ownership] in node.h.
#include "ember/autograd/engine.h"

#include <algorithm>
#include <map>
#include <queue>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd/anomaly.h"
#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/grad_mode.h"
#include "ember/core/tensor_iterator.h"
#include "ember/ops/factory.h"

namespace ember::autograd {

Tensor sum_to(const Tensor& grad, IntArrayRef shape) {
  if (grad.sizes() == shape) return grad;
  int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  DimVector dims;
  for (int64_t i = 0; i < lead; ++i) dims.push_back(i);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 1 && grad.sizes()[lead + i] != 1) dims.push_back(lead + static_cast<int64_t>(i));
  Tensor r = dims.empty() ? grad : grad.sum(dims, /*keepdim=*/true);
  if (lead > 0) r = r.view(shape);
  return r;
}

namespace {

bool is_expandable_to(IntArrayRef from, IntArrayRef to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != t && f != 1) return false;
  }
  return true;
}

// Checks a gradient against the metadata of the node input it flows into; sums
// broadcast gradients back to the input's shape (the one place this happens).
Tensor validate_grad(const Node& producer, size_t index, Tensor g, const InputMetadata& meta) {
  if (!(g.sizes() == IntArrayRef(meta.shape))) {
    if (!is_expandable_to(meta.shape, g.sizes())) {
      std::ostringstream msg;
      msg << "Function " << producer.name() << " returned an invalid gradient at index " << index << " - got "
          << g.sizes() << " but expected shape compatible with " << meta.shape;
      throw Error(msg.str());
    }
    g = sum_to(g, meta.shape);
  }
  if (g.dtype() != meta.dtype) g = g.to(meta.dtype);
  return g;
}

struct NodeState {
  int dependencies = 0;
  bool needed = true;
  variable_list buffer;
};

struct ReadyCompare {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

// One backward pass. `captures` (for autograd.grad) maps node inputs to result slots; when
// non-empty only the nodes leading to them run and nothing is accumulated into .grad.
class GraphTask {
 public:
  GraphTask(bool keep_graph, bool create_graph) : keep_graph_(keep_graph), create_graph_(create_graph) {}

  void add_capture(const Edge& e, size_t slot) { captures_[{e.function.get(), e.input_nr}].push_back(slot); }

  variable_list run(const std::vector<Edge>& roots, const variable_list& root_grads, size_t num_captures) {
    captured_.assign(num_captures, Tensor());
    count_dependencies(roots);
    if (!captures_.empty()) mark_needed(roots);
    AutoGradMode mode(create_graph_);
    for (size_t i = 0; i < roots.size(); ++i) add_grad(roots[i], root_grads[i]);
    for (const Edge& e : roots) {
      NodeState& s = states_[e.function.get()];
      if (--s.dependencies == 0) ready_.push(e.function.get());
    }
    CurrentTask current(this);
    while (!ready_.empty()) {
      Node* fn = ready_.top();
      ready_.pop();
      execute(fn);
    }
    // Note [Final callbacks]: index loop, since a callback may queue another.
    for (size_t i = 0; i < final_callbacks_.size(); ++i) {
      auto callback = std::move(final_callbacks_[i]);
      callback();
    }
    return std::move(captured_);
  }

  static GraphTask* current() { return current_; }
  void queue_callback(std::function<void()> callback) { final_callbacks_.push_back(std::move(callback)); }

 private:
  void count_dependencies(const std::vector<Edge>& roots) {
    std::vector<Node*> stack;
    for (const Edge& e : roots) {
      NodeState& s = states_[e.function.get()];
      ++s.dependencies;  // the root gradient counts as one incoming edge
      if (seen_.insert(e.function.get()).second) stack.push_back(e.function.get());
    }
    while (!stack.empty()) {
      Node* fn = stack.back();
      stack.pop_back();
      for (const Edge& next : fn->next_edges()) {
        if (!next.is_valid()) continue;
        ++states_[next.function.get()].dependencies;
        if (seen_.insert(next.function.get()).second) stack.push_back(next.function.get());
      }
    }
  }

  // A node is needed when it is a capture target or leads to one.
  void mark_needed(const std::vector<Edge>& roots) {
    std::unordered_map<Node*, int> memo;  // 0 unknown, 1 needed, 2 not needed
    std::unordered_set<Node*> targets;
    for (auto& [key, slots] : captures_) targets.insert(key.first);
    // Iterative post-order DFS.
    std::vector<std::pair<Node*, size_t>> stack;
    for (const Edge& r : roots) {
      if (memo.count(r.function.get())) continue;
      stack.push_back({r.function.get(), 0});
      memo[r.function.get()] = 0;
      while (!stack.empty()) {
        auto& [fn, idx] = stack.back();
        if (idx < fn->next_edges().size()) {
          const Edge& next = fn->next_edges()[idx++];
          if (next.is_valid() && !memo.count(next.function.get())) {
            memo[next.function.get()] = 0;
            stack.push_back({next.function.get(), 0});
          }
          continue;
        }
        bool needed = false;
        for (const Edge& next : fn->next_edges())
          if (next.is_valid() && memo[next.function.get()] == 1) needed = true;
        // A capture target runs only if it also feeds another target downstream.
        memo[fn] = (needed || targets.count(fn)) ? 1 : 2;
        states_[fn].needed = needed;
        stack.pop_back();
      }
    }
  }

  void add_grad(const Edge& e, Tensor g) {
    NodeState& s = states_[e.function.get()];
    if (s.buffer.size() < e.function->num_inputs()) s.buffer.resize(e.function->num_inputs());
    Tensor& slot = s.buffer[e.input_nr];
    if (!g.defined()) return;
    slot = slot.defined() ? slot + g : g;
  }

  void execute(Node* fn) {
    NodeState& s = states_[fn];
    variable_list inputs = std::move(s.buffer);
    inputs.resize(fn->num_inputs());
    for (const auto& hook : fn->pre_hooks()) inputs = hook(inputs);
    if (!captures_.empty()) {
      for (uint32_t i = 0; i < inputs.size(); ++i) {
        auto it = captures_.find({fn, i});
        if (it == captures_.end()) continue;
        for (size_t slot : it->second) captured_[slot] = inputs[i];
      }
      if (!s.needed) return;
    }
    bool any = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.defined(); });
    variable_list outputs;
    if (any) {
      outputs = fn->apply(std::move(inputs));
      if (!keep_graph_) fn->release_variables();
    }
    if (!outputs.empty() && outputs.size() != fn->num_outputs()) {
      std::ostringstream msg;
      msg << "function " << fn->name() << " returned an incorrect number of gradients (expected "
          << fn->num_outputs() << ", got " << outputs.size() << ")";
      throw Error(msg.str());
    }
    for (size_t i = 0; i < fn->num_outputs(); ++i) {
      const Edge& next = fn->next_edge(i);
      if (!next.is_valid()) continue;
      Tensor g = outputs.empty() ? Tensor() : std::move(outputs[i]);
      if (g.defined()) {
        g = validate_grad(*fn, i, std::move(g), next.function->input_metadata(next.input_nr));
        anomaly_check(*fn, g);
      }
      add_grad(next, std::move(g));
      NodeState& ns = states_[next.function.get()];
      if (--ns.dependencies == 0) ready_.push(next.function.get());
    }
  }

  void anomaly_check(const Node& fn, const Tensor& g);

  // The pass running on this thread (a nested backward from a node stacks on it).
  struct CurrentTask {
    explicit CurrentTask(GraphTask* t) : saved(current_) { current_ = t; }
    ~CurrentTask() { current_ = saved; }
    GraphTask* saved;
  };
  static thread_local GraphTask* current_;
  std::vector<std::function<void()>> final_callbacks_;

  bool keep_graph_, create_graph_;
  std::unordered_map<Node*, NodeState> states_;
  std::unordered_set<Node*> seen_;
  std::priority_queue<Node*, std::vector<Node*>, ReadyCompare> ready_;
  std::map<std::pair<Node*, uint32_t>, std::vector<size_t>> captures_;
  variable_list captured_;
};

thread_local GraphTask* GraphTask::current_ = nullptr;

}  // namespace

void queue_callback(std::function<void()> callback) {
  GraphTask* task = GraphTask::current();
  EMBER_CHECK(task, "Final callbacks can only be installed during backward pass.");
  task->queue_callback(std::move(callback));
}

void GraphTask::anomaly_check(const Node& fn, const Tensor& g) {
  if (!anomaly_enabled() || !g.is_floating_point()) return;
  if (g.isnan().any().item<bool>()) {
    std::ostringstream msg;
    msg << "Function '" << fn.name() << "' returned nan values in its output.";
    if (!fn.anomaly_trace.empty()) msg << " The forward call that created it: " << fn.anomaly_trace;
    throw Error(msg.str());
  }
}

namespace {
struct Roots {
  std::vector<Edge> edges;
  variable_list grads;
};

Roots make_roots(const variable_list& tensors, const variable_list& grad_tensors) {
  EMBER_CHECK(grad_tensors.empty() || grad_tensors.size() == tensors.size(), "got ", grad_tensors.size(),
              " tensors and ", tensors.size(), " gradients");
  Roots r;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    Edge e = gradient_edge(t);
    EMBER_CHECK(e.is_valid(), "element ", i, " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_tensors.empty() ? Tensor() : grad_tensors[i];
    if (!g.defined()) {
      EMBER_CHECK(t.numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = ones_like(t);
    } else {
      EMBER_CHECK(g.sizes() == t.sizes(), "Mismatch in shape: grad_output[", i, "] has a shape of torch.Size(",
                  g.sizes(), ") and output[", i, "] has a shape of torch.Size(", t.sizes(), ").");
    }
    r.edges.push_back(e);
    r.grads.push_back(g);
  }
  return r;
}
}  // namespace

variable_list grad(const variable_list& outputs, const variable_list& inputs, const variable_list& grad_outputs,
                   std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  Roots roots = make_roots(outputs, grad_outputs);
  GraphTask task(retain_graph.value_or(create_graph), create_graph);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    EMBER_CHECK(t.requires_grad(), "One of the differentiated Tensors does not require grad");
    Edge e = t.is_leaf() ? Edge{grad_accumulator(t), 0} : gradient_edge(t);
    task.add_capture(e, i);
  }
  variable_list result = task.run(roots.edges, roots.grads, inputs.size());
  for (size_t i = 0; i < result.size(); ++i) {
    EMBER_CHECK(allow_unused || result[i].defined(),
                "One of the differentiated Tensors appears to not have been used in the graph. Set "
                "allow_unused=True if this is the desired behavior.");
    if (result[i].defined()) {
      // Gradients reaching a leaf's accumulator are not summed to shape by anyone else.
      result[i] = validate_grad(*gradient_edge(inputs[i]).function, 0, result[i],
                                {DimVector(inputs[i].sizes().begin(), inputs[i].sizes().end()), inputs[i].dtype()});
      if (!create_graph) result[i] = result[i].detach();
    }
  }
  return result;
}

void backward(const variable_list& tensors, const variable_list& grad_tensors, std::optional<bool> retain_graph,
              bool create_graph, const variable_list& inputs) {
  if (!inputs.empty()) {
    // backward(inputs=...) accumulates only into the given tensors.
    variable_list grads = grad(tensors, inputs, grad_tensors, retain_graph, create_graph, /*allow_unused=*/true);
    AutoGradMode mode(create_graph);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!grads[i].defined()) continue;
      Tensor& g = materialize_autograd_meta(inputs[i])->grad;
      if (!g.defined()) g = create_graph ? grads[i] : grads[i].detach().clone();
      else if (create_graph) g = g + grads[i];
      else g.add_(grads[i]);
    }
    return;
  }
  Roots roots = make_roots(tensors, grad_tensors);
  GraphTask task(retain_graph.value_or(create_graph), create_graph);
  task.run(roots.edges, roots.grads, 0);
}

}  // namespace ember::autograd

namespace ember {
void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      TensorList inputs) const {
  autograd::backward({*this}, gradient.defined() ? autograd::variable_list{gradient} : autograd::variable_list{},
                     retain_graph, create_graph, inputs.vec());
}
}  // namespace ember
