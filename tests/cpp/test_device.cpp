// Devices and their allocators (Note [Allocators by device] in core/allocator.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <ember/core/allocator.h>
#include <ember/kernels/blas.h>
#include <ember/kernels/elementwise.h>
#include <ember/ember.h>

#include "error_of.h"

using namespace ember;

namespace {

// Stands in for a second backend's allocator: plain heap memory, counted.
struct CountingAllocator final : Allocator {
  int allocations = 0, frees = 0;
  size_t last_bytes = 0;
  void* allocate(size_t nbytes) override {
    ++allocations;
    last_bytes = nbytes;
    return std::malloc(nbytes);
  }
  void deallocate(void* p, size_t) override {
    ++frees;
    std::free(p);
  }
};

}  // namespace

TEST(Device, WithoutABackendAllocationSaysWhatIsMissing) {
  ASSERT_EQ(allocator_for(kCUDA), nullptr);
  std::string msg = error_of([] { empty({4}, TensorOptions().device(kCUDA)); });
  EXPECT_NE(msg.find("ember was built without CUDA support; cannot allocate on cuda"), std::string::npos) << msg;
  EXPECT_EQ(allocator_for(kCPU), &CPUAllocator::get());
}

TEST(Device, StorageAllocatesAndFreesThroughTheDevicesAllocator) {
  CountingAllocator counting;
  ASSERT_EQ(register_allocator(kCUDA, &counting), nullptr);
  {
    Tensor t = empty({100}, TensorOptions().device(kCUDA));
    EXPECT_EQ(t.device(), Device(kCUDA));
    EXPECT_EQ(counting.allocations, 1);
    EXPECT_EQ(counting.last_bytes, 400u);
    Tensor tiny = empty({1}, TensorOptions().device(kCUDA));  // no inline CPU bytes for another device
    EXPECT_EQ(counting.allocations, 2);
  }
  EXPECT_EQ(counting.frees, 2);
  EXPECT_EQ(register_allocator(kCUDA, nullptr), &counting);
  // CPU tensors never touch it.
  Tensor c = empty({1000});
  EXPECT_EQ(counting.allocations, 2);
}

// ---- Dispatch by device (Note [Dispatch by device] in kernels/stub.h) --------------------
// A test backend on PrivateUse1: host memory through a counting allocator, a byte copy
// between it and the CPU, and the CPU's own binary and copy kernels behind counting
// wrappers. It registers nothing else, so every other kernel family is missing there.
namespace {

struct TestBackend {
  static inline int byte_copies = 0, binary_calls = 0, copy_calls = 0;
  CountingAllocator allocator;
  kernels::BinaryKernel cpu_binary = kernels::binary_stub(kCPU);
  kernels::CopyKernel cpu_copy = kernels::copy_stub(kCPU);
  static inline kernels::BinaryKernel forward_binary = nullptr;
  static inline kernels::CopyKernel forward_copy = nullptr;

  TestBackend() {
    byte_copies = binary_calls = copy_calls = 0;
    forward_binary = cpu_binary;
    forward_copy = cpu_copy;
    register_allocator(kPrivateUse1, &allocator);
    kernels::copy_between_devices_stub.register_device(kPrivateUse1, [](void* dst, Device dst_device, const void* src,
                                                                        Device src_device, size_t nbytes) {
      EXPECT_NE(dst_device.type, src_device.type);
      ++byte_copies;
      std::memcpy(dst, src, nbytes);
    });
    kernels::binary_stub.register_device(kPrivateUse1, [](BinaryOp op, const TensorIterator& iter, const Scalar& alpha) {
      ++binary_calls;
      forward_binary(op, iter, alpha);
    });
    kernels::copy_stub.register_device(kPrivateUse1, [](const TensorIterator& iter) {
      ++copy_calls;
      forward_copy(iter);
    });
  }
  ~TestBackend() {
    kernels::copy_between_devices_stub.register_device(kPrivateUse1, nullptr);
    kernels::binary_stub.register_device(kPrivateUse1, nullptr);
    kernels::copy_stub.register_device(kPrivateUse1, nullptr);
    register_allocator(kPrivateUse1, nullptr);
  }
};

const Device kTestDevice(kPrivateUse1);

}  // namespace

TEST(Dispatch, OpsRunTheKernelsOfTheirTensorsDevice) {
  TestBackend backend;
  Tensor a = arange(6, TensorOptions(kFloat32)).reshape({2, 3});
  Tensor d = a.to(kTestDevice);
  EXPECT_EQ(d.device().type, kPrivateUse1);
  EXPECT_EQ(backend.allocator.allocations, 1);
  EXPECT_EQ(TestBackend::byte_copies, 1);

  Tensor s = d + d;
  EXPECT_EQ(s.device().type, kPrivateUse1);
  EXPECT_EQ(TestBackend::binary_calls, 1);
  EXPECT_EQ(backend.allocator.allocations, 2);

  Tensor back = s.cpu();
  EXPECT_TRUE(back.is_cpu());
  EXPECT_EQ(TestBackend::byte_copies, 2);
  EXPECT_TRUE(equal(back, a * 2));
  // CPU ops never reach the test backend's kernels.
  Tensor c = a + a;
  EXPECT_EQ(TestBackend::binary_calls, 1);
}

TEST(Dispatch, CopiesBetweenDevicesConvertAndLandInStridedTensors) {
  TestBackend backend;
  Tensor a = arange(6, TensorOptions(kFloat32)).reshape({2, 3});
  // Into a transposed (non-dense) CPU tensor of another dtype: the device side converts
  // with its copy kernel, the bytes land in a dense temporary, the CPU copies them in.
  Tensor d = a.to(kTestDevice);
  Tensor dst = empty({3, 2}, TensorOptions(kFloat64)).t();
  dst.copy_(d);
  EXPECT_GE(TestBackend::copy_calls, 1);
  EXPECT_TRUE(equal(dst, a.to(kFloat64)));
  // Broadcasting from the device into a CPU tensor.
  Tensor row = arange(3, TensorOptions(kFloat32)).to(kTestDevice);
  Tensor wide = zeros({2, 3});
  wide.copy_(row);
  EXPECT_TRUE(equal(wide, arange(3, TensorOptions(kFloat32)).expand({2, 3})));
  // to(device, dtype) in one call.
  Tensor dd = a.to(kTestDevice, kFloat64);
  EXPECT_EQ(dd.dtype(), kFloat64);
  EXPECT_TRUE(equal(dd.cpu(), a.to(kFloat64)));
}

TEST(Dispatch, AMissingKernelOrMixedDevicesSayWhatIsWrong) {
  TestBackend backend;
  Tensor a = arange(6, TensorOptions(kFloat32));
  Tensor d = a.to(kTestDevice);
  std::string msg = error_of([&] { d.sum(); });
  EXPECT_NE(msg.find("could not run the 'reduce' kernel on device 'privateuseone': its backend registered none"),
            std::string::npos)
      << msg;
  msg = error_of([&] { (void)(d + a); });
  EXPECT_NE(msg.find("Expected all tensors to be on the same device, but found at least two devices"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("privateuseone"), std::string::npos) << msg;
  // The optimisers reach their kernels through the same stubs.
  Tensor p = d.clone().requires_grad_();
  p.mutable_grad() = ones({6}).to(kTestDevice);
  optim::SGD sgd({p}, optim::SGDOptions(0.1));
  msg = error_of([&] { sgd.step(); });
  EXPECT_NE(msg.find("could not run the 'sgd_step' kernel on device 'privateuseone'"), std::string::npos) << msg;
}

TEST(Dispatch, WithoutCudaEveryStubSaysSo) {
  std::string msg = error_of([] { kernels::unary_stub(kCUDA); });
  EXPECT_NE(msg.find("could not run the 'unary' kernel on device 'cuda': ember was built without CUDA support"),
            std::string::npos)
      << msg;
  msg = error_of([] { ones({2}).to(Device(kCUDA)); });
  EXPECT_NE(msg.find("ember was built without CUDA support; cannot allocate on cuda"), std::string::npos) << msg;
  // The CPU kernel is found (and cached) for every family.
  EXPECT_NE(kernels::unary_stub(kCPU), nullptr);
  EXPECT_NE(kernels::gemm_stub(Device("cpu")), nullptr);
  EXPECT_EQ(Device("privateuseone").type, kPrivateUse1);
  EXPECT_EQ(Device(kPrivateUse1, 0).str(), "privateuseone:0");
}
