// add_graph: a GraphDef (TensorBoard's Graphs tab) from the autograd history of one forward
// pass, where PyTorch builds it from a torch.jit trace (formats-rng.md 3.6, "Graph").
//
// Note [Graph from autograd history]: every differentiable op of the forward pass left a
// backward node whose next_edges point at the nodes of its inputs, and parameters and the
// (requires_grad) input end in AccumulateGrad leaves. So the recorded graph is the forward
// graph with its arrows reversed, which is what NodeDef.input lists anyway. Each op node
// becomes "<Model>/<submodule path>/<Op>_<k>", grouped under the deepest submodule whose
// call produced it: a submodule claims the nodes reachable from its output without passing
// its inputs' nodes, deepest submodules first. Ops without a gradient (argmax, integer
// ops) leave no node and do not appear.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "ember/autograd/node.h"
#include "ember/utils/tensorboard/event_file_writer.h"
#include "ember/utils/tensorboard/summary.h"
#include "ember/utils/tensorboard/summary_writer.h"

namespace ember::utils::tensorboard {
namespace {

using autograd::Node;

std::string op_name(const Node& n) {
  std::string s = n.name();
  auto pos = s.rfind("Backward");
  if (pos != std::string::npos && pos > 0) s.resize(pos);
  return s;
}

std::string scope_of(const std::string& model, const std::string& path) {
  std::string s = model;
  if (!path.empty()) {
    s += "/";
    for (char c : path) s += c == '.' ? '/' : c;
  }
  return s;
}

void set_shape(NodeDef& node, IntArrayRef sizes) {
  auto* shape = (*node.mutable_attr())["_output_shapes"].mutable_list()->add_shape();
  for (int64_t d : sizes) shape->add_dim()->set_size(d);
}

}  // namespace

void SummaryWriter::add_graph_trace(const GraphTrace& trace) {
  // Every node reachable from the results, in a deterministic order (creation order).
  std::vector<Node*> nodes;
  std::set<Node*> seen;
  std::vector<Node*> stack;
  for (const auto& r : trace.results)
    if (r.defined() && r.grad_fn()) stack.push_back(r.grad_fn().get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    nodes.push_back(n);
    for (const auto& e : n->next_edges())
      if (e.is_valid()) stack.push_back(e.function.get());
  }
  std::sort(nodes.begin(), nodes.end(), [](Node* a, Node* b) { return a->sequence_nr() < b->sequence_nr(); });

  // Leaves: parameters and inputs by the tensor their AccumulateGrad holds.
  std::unordered_map<Node*, std::string> names;
  std::unordered_map<Node*, Tensor> leaf_tensor;
  for (Node* n : nodes) {
    if (auto* acc = dynamic_cast<autograd::AccumulateGrad*>(n)) {
      for (const auto& [pname, p] : trace.parameters)
        if (p.is_same(acc->variable)) names[n] = scope_of(trace.model_name, pname);
      for (size_t i = 0; i < trace.inputs.size(); ++i)
        if (trace.inputs[i].is_same(acc->variable)) names[n] = "input/input." + std::to_string(i);
      if (!names.count(n)) names[n] = trace.model_name + "/leaf." + std::to_string(names.size());
      leaf_tensor[n] = acc->variable;
    }
  }

  // Scopes, deepest submodule first (Note [Graph from autograd history]).
  std::vector<std::pair<std::string, Tensor>> outputs = trace.outputs;
  std::stable_sort(outputs.begin(), outputs.end(), [](const auto& a, const auto& b) {
    return std::count(a.first.begin(), a.first.end(), '.') > std::count(b.first.begin(), b.first.end(), '.');
  });
  std::unordered_map<Node*, std::string> scope;
  for (const auto& [path, out] : outputs) {
    if (!out.defined() || !out.grad_fn()) continue;
    std::set<Node*> stop;
    for (const auto& [ipath, ins] : trace.module_inputs)
      if (ipath == path)
        for (const auto& t : ins)
          if (t.defined() && t.grad_fn()) stop.insert(t.grad_fn().get());
    std::vector<Node*> todo{out.grad_fn().get()};
    std::set<Node*> visited;
    while (!todo.empty()) {
      Node* n = todo.back();
      todo.pop_back();
      if (stop.count(n) || leaf_tensor.count(n) || !visited.insert(n).second) continue;
      scope.emplace(n, scope_of(trace.model_name, path));
      for (const auto& e : n->next_edges())
        if (e.is_valid()) todo.push_back(e.function.get());
    }
  }

  GraphDef graph;
  graph.mutable_versions()->set_producer(22);
  std::map<std::string, int> counters;
  for (Node* n : nodes) {
    if (leaf_tensor.count(n)) continue;
    std::string s = scope.count(n) ? scope[n] : trace.model_name;
    std::string op = op_name(*n);
    names[n] = s + "/" + op + "_" + std::to_string(counters[s + "/" + op]++);
  }
  for (Node* n : nodes) {
    NodeDef* def = graph.add_node();
    def->set_name(names[n]);
    auto leaf = leaf_tensor.find(n);
    if (leaf != leaf_tensor.end()) {
      def->set_op(names[n].rfind("input/", 0) == 0 ? "IO Node" : "Parameter");
      set_shape(*def, leaf->second.sizes());
      continue;
    }
    def->set_op(op_name(*n));
    for (const auto& e : n->next_edges())
      if (e.is_valid()) def->add_input(names[e.function.get()]);
    if (n->num_inputs() > 0) set_shape(*def, n->input_metadata(0).shape);
  }
  for (size_t i = 0; i < trace.results.size(); ++i) {
    const Tensor& r = trace.results[i];
    NodeDef* def = graph.add_node();
    def->set_name("output/output." + std::to_string(i));
    def->set_op("IO Node");
    if (r.defined() && r.grad_fn()) def->add_input(names[r.grad_fn().get()]);
    if (r.defined()) set_shape(*def, r.sizes());
  }

  // Two events without a step: the graph, then the run metadata TensorBoard pairs with it.
  const double now = wall_time_now();
  Event g;
  g.set_wall_time(now);
  g.set_graph_def(graph.SerializeAsString());
  file_writer().add_event(g.SerializeAsString());
  RunMetadata meta;
  meta.mutable_step_stats()->add_dev_stats()->set_device("/device:CPU:0");
  Event m;
  m.set_wall_time(now);
  m.mutable_tagged_run_metadata()->set_tag("step1");
  m.mutable_tagged_run_metadata()->set_run_metadata(meta.SerializeAsString());
  file_writer().add_event(m.SerializeAsString());
}

}  // namespace ember::utils::tensorboard
