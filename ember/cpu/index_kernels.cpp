// Storage for the indexing kernel stubs; cpu/kernels/index.cpp fills them per ISA.
#include "ember/cpu/index_kernels.h"

namespace ember::cpu {
DispatchStub<IndexOffsetsKernel> index_offsets_stub;
DispatchStub<IndexGatherKernel> index_gather_stub;
DispatchStub<IndexPutKernel> index_put_stub;
DispatchStub<ScatterGatherKernel> scatter_gather_stub;
DispatchStub<NonzeroKernel> nonzero_stub;
}  // namespace ember::cpu
