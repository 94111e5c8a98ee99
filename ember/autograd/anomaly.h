#pragma once
// Anomaly detection (torch.autograd.detect_anomaly): backward checks every gradient a node
// produces for NaN and names the node and the forward op that created it.
#include <string>

namespace ember::autograd {

bool anomaly_enabled();
void set_anomaly_enabled(bool enabled);
std::string anomaly_forward_trace();

class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : prev_(anomaly_enabled()) { set_anomaly_enabled(true); }
  ~DetectAnomalyGuard() { set_anomaly_enabled(prev_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_;
};

}  // namespace ember::autograd
