#include "ember/nn/enum.h"

namespace ember {

std::string reduction_name(Reduction r) {
  switch (r) {
    case Reduction::None: return "none";
    case Reduction::Mean: return "mean";
    case Reduction::Sum: return "sum";
  }
  return "mean";
}

}  // namespace ember
