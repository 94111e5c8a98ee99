// The shape ops that copy: cat / stack / hstack / vstack (joining), flip and repeat. The
// view ops are in shape.cpp; both are declared in shape.h.
#include <algorithm>
#include "ember/ops/autocast.h"
#include <numeric>

#include "ember/autograd/derivatives.h"
#include "ember/core/tensor_iterator.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"
#include "ember/ops/type_promotion.h"

namespace ember {

// ---- joining -----------------------------------------------------------------

namespace {
// CatBackward0 needs every input's sizes, a heap vector: gathered only when recording.
void record_cat(TensorList tensors, int64_t d, const Tensor& out) {
  if (!autograd::should_record(tensors)) return;
  std::vector<DimVector> sizes;
  sizes.reserve(tensors.size());
  for (const Tensor& t : tensors) sizes.push_back(autograd::dim_vector(t.sizes()));
  autograd::record(autograd::CatBackward0, tensors, out, {d, std::move(sizes)});
}
}  // namespace

Tensor cat(TensorList tensors, int64_t d) {
  EMBER_CHECK(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  Tensor out;
  return cat_out(out, tensors, d);
}

Tensor& cat_out(Tensor& out, TensorList tensors, int64_t d) {
  EMBER_CHECK(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  const bool out_given = out.defined();
  if (out_given && autograd::should_record(tensors))
    EMBER_THROW(Error, "cat(): functions with out=... arguments don't support automatic differentiation, but one of "
                "the arguments requires grad.");
  // Legacy rule kept by PyTorch: 1-D empty tensors are skipped whatever their shape.
  const Tensor* ref = nullptr;
  for (const Tensor& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) { ref = &t; break; }
  ScalarType dt = result_type(tensors);
  if (!ref) {
    Tensor e = empty({0}, tensors[0].options().dtype(dt));
    if (out.defined()) { out.copy_(e); return out; }
    out = e;
    record_cat(tensors, 0, out);  // Note [Empty results keep their history]
    return out;
  }
  EMBER_CHECK(ref->dim() > 0, "zero-dimensional tensor (at position 0) cannot be concatenated");
  d = maybe_wrap_dim(d, ref->dim());
  DimVector shape(ref->sizes().begin(), ref->sizes().end());
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.numel() == 0) continue;
    EMBER_CHECK(t.dim() == ref->dim(), "Tensors must have same number of dimensions: got ", ref->dim(), " and ", t.dim());
    for (int64_t k = 0; k < t.dim(); ++k) {
      if (k == d) continue;
      EMBER_CHECK(t.sizes()[k] == shape[k], "Sizes of tensors must match except in dimension ", d, ". Expected size ",
                  shape[k], " but got size ", t.sizes()[k], " for tensor number ", i, " in the list.");
    }
    total += t.sizes()[d];
  }
  shape[d] = total;
  if (out.defined()) {
    EMBER_CHECK(can_cast(dt, out.dtype()), "torch.cat(): input types can't be cast to the desired output type ", out.dtype());
    if (!(out.sizes() == IntArrayRef(shape))) out = empty(shape, out.options());
  } else {
    out = empty(shape, ref->options().dtype(dt));
  }
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    if (t.dim() == 1 && t.numel() == 0) continue;
    int64_t n = t.sizes()[d];
    if (n > 0) {
      NoGradGuard guard;  // cat records one CatBackward0, not a CopySlices per input
      out.narrow(d, offset, n).copy_(t);
    }
    offset += n;
  }
  if (!out_given) record_cat(tensors, d, out);
  return out;
}

Tensor stack(TensorList tensors, int64_t d) {
  EMBER_AUTOCAST(stack, tensors, d);
  EMBER_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  d = maybe_wrap_dim(d, tensors[0].dim() + 1);
  for (size_t i = 1; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack expects each tensor to be equal size, but got ",
                tensors[0].sizes(), " at entry 0 and ", tensors[i].sizes(), " at entry ", i);
  Tensor out = autograd::untracked([&] {
    std::vector<Tensor> parts;
    parts.reserve(tensors.size());
    for (const Tensor& t : tensors) parts.push_back(t.unsqueeze(d));
    return cat(parts, d);
  });
  autograd::record(autograd::StackBackward0, tensors, out, {d});
  return out;
}
Tensor hstack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "hstack expects a non-empty TensorList");
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(t.dim() == 0 ? t.reshape({1}) : t);
  return cat(parts, parts[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "vstack expects a non-empty TensorList");
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(t.dim() < 2 ? t.reshape({1, -1}) : t);
  return cat(parts, 0);
}

Tensor Tensor::flip(IntArrayRef dims) const {
  int64_t nd = dim();
  SmallVector<bool, 8> flipped(std::max<int64_t>(nd, 1), false);
  for (int64_t d : dims) {
    int64_t w = maybe_wrap_dim(d, nd);
    EMBER_CHECK(!flipped[w], "dim ", w, " appears multiple times in the list of dims");
    flipped[w] = true;
  }
  Tensor out = empty(sizes(), options());
  if (numel() > 0) {
    // Read through a view with negative strides (internal only; never handed to users).
    DimVector st(strides().begin(), strides().end());
    int64_t offset = storage_offset();
    for (int64_t d = 0; d < nd; ++d)
      if (flipped[d]) {
        offset += (sizes()[d] - 1) * st[d];
        st[d] = -st[d];
      }
    NoGradGuard guard;
    out.copy_(Tensor(make_intrusive<TensorImpl>(storage(), dtype(), sizes(), st, offset)));
  }
  // Note [Empty results keep their history]
  autograd::record(autograd::FlipBackward0, {this}, out, {autograd::dim_vector(dims)});
  return out;
}
Tensor flip(const Tensor& t, IntArrayRef dims) { return t.flip(dims); }

Tensor Tensor::repeat(IntArrayRef repeats) const {
  EMBER_CHECK(static_cast<int64_t>(repeats.size()) >= dim(),
              "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  for (int64_t r : repeats) EMBER_CHECK(r >= 0, "Trying to create tensor with negative dimension ", r, ": ", repeats);
  int64_t lead = static_cast<int64_t>(repeats.size()) - dim();
  DimVector padded(lead, 1);
  for (int64_t s : sizes()) padded.push_back(s);
  Tensor src = reshape(padded);
  // View src as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...], copy.
  DimVector interleaved_src, interleaved_out, out_shape;
  for (size_t i = 0; i < repeats.size(); ++i) {
    interleaved_src.push_back(1);
    interleaved_src.push_back(padded[i]);
    interleaved_out.push_back(repeats[i]);
    interleaved_out.push_back(padded[i]);
    out_shape.push_back(repeats[i] * padded[i]);
  }
  Tensor out = empty(out_shape, options());
  if (out.numel() > 0) {
    NoGradGuard guard;
    out.view(interleaved_out).copy_(src.reshape(interleaved_src).expand(interleaved_out));
  }
  // Note [Empty results keep their history]
  autograd::record(autograd::RepeatBackward0, {this}, out,
                   {autograd::dim_vector(sizes()), autograd::dim_vector(repeats)});
  return out;
}

}  // namespace ember
