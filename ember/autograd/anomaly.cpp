#include "ember/autograd/anomaly.h"

#include <atomic>

namespace ember::autograd {
namespace {
std::atomic<bool> g_anomaly{false};
}
bool anomaly_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void set_anomaly_enabled(bool enabled) { g_anomaly = enabled; }
// The forward op is identified by the node that recorded it (set_history fills the node's
// trace from its own name when this returns empty).
std::string anomaly_forward_trace() { return {}; }
}  // namespace ember::autograd
