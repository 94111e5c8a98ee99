#include "ember/data/collate.h"

namespace ember::data::detail {

Tensor collate_tensors(std::vector<Tensor>&& batch) {
  EMBER_CHECK(!batch.empty(), "default_collate: empty batch");
  size_t undefined = 0;
  for (const Tensor& t : batch) undefined += !t.defined();
  if (undefined == batch.size()) return Tensor();  // e.g. TensorDataset without targets
  EMBER_CHECK(undefined == 0, "default_collate: a batch mixes defined and undefined tensors");
  for (size_t i = 1; i < batch.size(); ++i)
    EMBER_CHECK(batch[i].sizes() == batch[0].sizes(), "stack expects each tensor to be equal size, but got ",
                batch[0].sizes(), " at entry 0 and ", batch[i].sizes(), " at entry ", i);
  return stack(batch, 0);
}

}  // namespace ember::data::detail
