#include "ember/autograd/op_node.h"

namespace ember::autograd {

void OpNode::release_variables() {
  for (auto& s : saved_) s.reset();
  released_ = true;
}

Tensor OpNode::saved(size_t i) {
  return saved_[i].unpack(std::static_pointer_cast<Node>(shared_from_this()));
}

}  // namespace ember::autograd
