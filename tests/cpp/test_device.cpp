// Devices and their allocators (Note [Allocators by device] in core/allocator.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <ember/core/allocator.h>
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
