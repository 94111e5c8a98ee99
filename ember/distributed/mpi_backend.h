#pragma once
// The MPI backend's entry points (process_group_mpi.cpp, built when EMBER_WITH_MPI is on;
// process_group.cpp supplies stubs otherwise). Internal to ember/distributed.
#include "ember/distributed/process_group.h"

namespace ember::distributed::detail {

// Initialises MPI once per process (MPI_THREAD_MULTIPLE; an MPI the program initialised
// itself is used as it is) and returns a group over a duplicate of MPI_COMM_WORLD.
ProcessGroupPtr create_mpi_world(std::chrono::milliseconds timeout);

}  // namespace ember::distributed::detail
