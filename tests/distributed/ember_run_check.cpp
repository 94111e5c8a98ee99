// Run by ember-run --no-python with 2 processes (tests/CMakeLists.txt,
// distributed.ember_run_cpp): torchrun's variables agree with the process group.
#include <cstdlib>
#include <iostream>
#include <string>

#include <ember/ember.h>

namespace dist = ember::distributed;

static int env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : -1;
}

int main(int argc, char** argv) {
  dist::init_process_group();
  const int rank = dist::get_rank(), world = dist::get_world_size();
  bool ok = env("RANK") == rank && env("WORLD_SIZE") == world && env("LOCAL_RANK") == dist::get_local_rank() &&
            env("LOCAL_WORLD_SIZE") == world && env("MASTER_PORT") == 29500;
  ember::Tensor t = ember::full({2}, double(rank + 1));
  dist::all_reduce(t);
  ok = ok && t[0].item<double>() == world * (world + 1) / 2.0;
  if (!ok) std::cerr << "rank " << rank << ": environment or all_reduce wrong\n";
  if (rank == 0 && ok)
    std::cout << "ember-run c++: rank 0 of " << world << ", all_reduce " << t[0].item<double>() << ", argv[1] "
              << (argc > 1 ? argv[1] : "") << std::endl;
  dist::destroy_process_group();
  return ok ? 0 : 1;
}
