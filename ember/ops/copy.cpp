// copy_, fill_, zero_, to, clone, contiguous: moving and converting elements.
#include <cstring>

#include "ember/autograd/derivatives.h"
#include "ember/core/tensor_iterator.h"
#include "ember/kernels/elementwise.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {

namespace {
bool ranges_overlap(const Tensor& a, const Tensor& b) {
  if (a.storage().get() != b.storage().get()) return false;
  if (a.numel() == 0 || b.numel() == 0) return false;
  auto extent = [](const Tensor& t, int64_t* lo, int64_t* hi) {
    int64_t l = t.storage_offset(), h = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) {
      int64_t span = (t.sizes()[d] - 1) * t.strides()[d];
      if (span < 0) l += span; else h += span;
    }
    *lo = l * static_cast<int64_t>(t.element_size());
    *hi = (h + 1) * static_cast<int64_t>(t.element_size());
  };
  int64_t alo, ahi, blo, bhi;
  extent(a, &alo, &ahi);
  extent(b, &blo, &bhi);
  return alo < bhi && blo < ahi;
}
}  // namespace

// Throws PyTorch's error when an in-place write would hit one memory location twice
// (an expanded tensor). Only the certain case (a stride-0 dimension) is detected, as in
// PyTorch.
void check_no_internal_overlap(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    EMBER_CHECK(!(t.strides()[d] == 0 && t.sizes()[d] > 1),
                "unsupported operation: more than one element of the written-to tensor refers to a single "
                "memory location. Please clone() the tensor before performing the operation.");
}

// Note [Copies between devices]
// A copy between two device types goes through one kernel, copy_between_devices, looked
// up on the side that is not the CPU, which moves dense bytes. The conversions around it
// run on one device each: the source is made dense in the destination's dtype and shape
// on its own device, the bytes land in the destination (or a dense temporary on the
// destination's device, copied in after). Two non-CPU device types meet on the CPU.
namespace {
void copy_between_devices(Tensor& dst, const Tensor& src) {
  if (!dst.is_cpu() && !src.is_cpu() && dst.device().type != src.device().type) {
    dst.copy_(src.cpu());
    return;
  }
  const Tensor staged = src.to(dst.dtype()).expand(dst.sizes()).contiguous();
  Tensor landing = dst.is_contiguous() ? dst : empty(dst.sizes(), dst.options());
  const Device backend = dst.is_cpu() ? src.device() : dst.device();
  kernels::copy_between_devices_stub(backend)(landing.data_ptr(), landing.device(), staged.data_ptr(),
                                              staged.device(), staged.nbytes());
  if (!landing.is_same(dst)) dst.copy_(landing);
}
}  // namespace

Tensor& Tensor::copy_(const Tensor& src, bool non_blocking) {
  EMBER_CHECK(defined() && src.defined(), "copy_: expected defined tensors");
  check_no_internal_overlap(*this);
  if (autograd::should_record({this, &src})) {
    autograd::check_inplace(*this);
    Tensor value = empty(sizes(), options());
    {
      NoGradGuard guard;
      value.copy_(src);
    }
    autograd::record(autograd::CopyBackwards, {this, &src}, value, {autograd::dim_vector(src.sizes()), src.dtype()});
    autograd::commit_inplace(*this, value);
    return *this;
  }
  // Same check as broadcasting src to self, with PyTorch's wording for copy_.
  Tensor source = src;
  if (ranges_overlap(*this, src) && !(is_same(src))) source = src.clone();
  if (numel() == 0) return *this;
  if (device().type != src.device().type) {
    copy_between_devices(*this, source);
    mark_written(*this);
    return *this;
  }
  TensorIterator iter;
  iter.add_output(*this).add_input(source.expand(sizes())).build();
  kernels::copy_stub(iter.device())(iter);
  mark_written(*this);
  return *this;
}

Tensor& Tensor::fill_(const Scalar& value) {
  check_no_internal_overlap(*this);
  check_convertible(value, dtype());
  if (autograd::should_record({this})) {
    autograd::check_inplace(*this);
    Tensor filled = empty(sizes(), options());
    {
      NoGradGuard guard;
      filled.fill_(value);
    }
    autograd::record(autograd::FillBackward0, {this}, filled);
    autograd::commit_inplace(*this, filled);
    return *this;
  }
  if (numel() > 0) {
    TensorIterator iter;
    iter.add_output(*this).build();
    kernels::fill_stub(iter.device())(iter, value);
  }
  mark_written(*this);
  return *this;
}

Tensor& Tensor::fill_(const Tensor& value) {
  EMBER_CHECK(value.dim() == 0, "fill_ only supports 0-dimension value tensor but got tensor with ",
              value.dim(), " dimensions.");
  return fill_(value.item());
}

Tensor& Tensor::zero_() { return fill_(0); }

Tensor Tensor::clone() const {
  Tensor out = empty(sizes(), options());
  if (numel() > 0) {
    if (is_contiguous()) {
      std::memcpy(out.data_ptr(), data_ptr(), nbytes());
    } else {
      TensorIterator iter;
      iter.add_output(out).add_input(*this).build();
      kernels::copy_stub(iter.device())(iter);
    }
  }
  autograd::record(autograd::CloneBackward0, {this}, out);
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::to(ScalarType dt, bool non_blocking, bool copy) const {
  if (dt == dtype() && !copy) return *this;
  Tensor out = empty(sizes(), options().dtype(dt));
  if (numel() > 0) {
    TensorIterator iter;
    iter.add_output(out).add_input(*this).build();
    kernels::copy_stub(iter.device())(iter);
  }
  if (out.is_floating_point()) autograd::record(autograd::ToCopyBackward0, {this}, out, {dtype()});
  return out;
}

Tensor Tensor::to(Device dev, std::optional<ScalarType> dt, bool non_blocking, bool copy) const {
  if (dev.type == device().type) return to(dt.value_or(dtype()), non_blocking, copy);
  Tensor out = empty(sizes(), options().device(dev).dtype(dt.value_or(dtype())));
  return out.copy_(*this);  // Note [Copies between devices]
}

Tensor Tensor::to(const TensorOptions& o, bool non_blocking, bool copy) const {
  EMBER_CHECK(!o.requires_grad(),
              "to(options) doesn't support converting to a different requires_grad; use requires_grad_() instead");
  return to(o.device(), o.has_dtype() ? std::optional<ScalarType>(o.dtype()) : std::nullopt, non_blocking, copy);
}

Tensor Tensor::to(const Tensor& other, bool non_blocking, bool copy) const {
  return to(other.device(), other.dtype(), non_blocking, copy);
}

Tensor Tensor::cpu() const { return to(Device(DeviceType::CPU)); }

}  // namespace ember
