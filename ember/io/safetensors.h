#pragma once
// safetensors checkpoints (Hugging Face's format; reference/formats-rng.md Part 2), a format
// PyTorch users read with `safetensors.torch.load_file`:
//
//   ember::save_safetensors(model->named_parameters(), "model.safetensors");
//   auto tensors = ember::load_safetensors("model.safetensors");   // name -> tensor
//   ember::nn::save_state_dict(*model, "model.safetensors");
//   ember::nn::load_state_dict(*model, "model.safetensors");
//
// Note [safetensors validation]
// A checkpoint may come from anywhere, so the reader trusts nothing in it: the header
// length is checked against the file size before it is read, the JSON is parsed by a
// library (nlohmann/json), every entry's dtype, shape and offsets are validated (the
// offsets must tile the data buffer exactly: no gaps, no overlaps, no trailing bytes; the
// byte count must equal numel * itemsize, computed with overflow checks) before any tensor
// is allocated, so a hostile header can neither make the reader allocate more memory than
// the file holds nor read outside it. Every error names the file.
#include <map>
#include <string>

#include "ember/core/ordered_dict.h"
#include "ember/core/tensor.h"
#include "ember/nn/module.h"

namespace ember {

// The `__metadata__` object of a safetensors header: strings to strings.
using SafetensorsMetadata = std::map<std::string, std::string>;

// Writes `tensors` to `path` as the reference writer does (tensors ordered by dtype size,
// then name; compact JSON header padded with spaces to a multiple of 8 bytes). Tensors
// are written by value in row-major order: a non-contiguous view is written as its
// contiguous() copy, and two entries sharing storage are written twice (the format has no
// views). `metadata` becomes `__metadata__` when not empty. The file is written to a
// temporary name and renamed, so a failed save leaves an existing file untouched.
void save_safetensors(const OrderedDict<std::string, Tensor>& tensors, const std::string& path,
                      const SafetensorsMetadata& metadata = {});

// Reads every tensor of a safetensors file, in the order the header lists them, as new
// CPU tensors that do not require grad. Throws ember::Error naming the file on any
// malformed input (Note [safetensors validation]) and on dtypes ember lacks (U16, U32, U64,
// C64, the float8/float6/float4 types).
// With mmap = true the file is mapped (private, copy-on-write) and each tensor whose data
// starts at a multiple of its element size (every tensor of a file written by the
// reference writer or by ember) points into the mapping, which lives as long as any of
// them: loading costs the header, not the data. Writes to such a tensor never reach the
// file. Others are copied.
OrderedDict<std::string, Tensor> load_safetensors(const std::string& path, bool mmap = false);

// The header's `__metadata__` (empty when absent); validates the header as load does.
SafetensorsMetadata load_safetensors_metadata(const std::string& path);

namespace nn {

// model.state_dict() to a safetensors file, with __metadata__ {"format": "pt"} as
// Hugging Face's loaders expect.
void save_state_dict(const Module& module, const std::string& path);

// module.load_state_dict(load_safetensors(path), strict).
LoadStateDictResult load_state_dict(Module& module, const std::string& path, bool strict = true);

}  // namespace nn
}  // namespace ember
