// Storage for the kernel stubs; the per-ISA kernel TUs fill them.
#include "ember/cpu/kernels.h"

namespace ember::cpu {
DispatchStub<UnaryKernel> unary_stub;
DispatchStub<BinaryKernel> binary_stub;
DispatchStub<CopyKernel> copy_stub;
DispatchStub<FillKernel> fill_stub;
DispatchStub<ClampKernel> clamp_stub;
DispatchStub<WhereKernel> where_stub;
DispatchStub<NanToNumKernel> nan_to_num_stub;
}  // namespace ember::cpu
