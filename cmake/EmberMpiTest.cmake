# ember_add_mpi_test(NAME <name> NP <n> COMMAND <program> [args...]
#                    [TIMEOUT <s>] [PASS_REGULAR_EXPRESSION <re>] [ENVIRONMENT <VAR=value>...])
# Registers `mpirun -np <n> <program> args...` with ctest, set up for this kind of machine
# (reference/distributed.md, section 4, and docs/distributed.md, "Tests"):
#  - as root: Open MPI's run-as-root variables. They are set here, for the test runner only;
#    user-facing scripts and docs ask for --allow-run-as-root explicitly instead.
#  - loopback only, shared memory: btl self,vader, and the out-of-band channel on lo (this
#    machine also has an unrouted eth0, which the OOB would otherwise prefer).
#  - vader's single-copy mechanism (CMA, process_vm_readv) off: container seccomp profiles
#    block it and every transfer above the eager limit then fails; the FIFO copy always works.
#  - --bind-to none and --oversubscribe: hwloc sees the host, not the container's cpuset, and
#    -np 4 on a 2-core machine needs more slots than cores.
#  - under the sanitizers, LeakSanitizer's suppressions for Open MPI's own allocations
#    (tests/distributed/lsan.supp).
# A failure on any rank fails the entry: mpirun's exit status is the first nonzero one, and a
# rank that dies takes the job down. TIMEOUT (default 60 s) bounds a hang.
# ember_mpi_test_environment(<var> [VAR=value...]): the environment above, for tests that start
# mpirun some other way (ember-run).
function(ember_mpi_test_environment var)
  set(env
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_btl=self,vader OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_pml=ob1
    OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
    OMPI_MCA_hwloc_base_binding_policy=none
    # one BLAS/OpenMP thread per rank: ranks share the machine's cores
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    ${ARGN})
  if(EMBER_SANITIZE)
    # ASAN_OPTIONS stays the caller's (scripts/test.sh: detect_leaks=1:abort_on_error=1).
    # fast_unwind_on_malloc=0: Open MPI's libraries are built without frame pointers, so the fast
    # unwinder stops at their first frame and the suppressions never see the library's name.
    list(APPEND env "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/distributed/lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0")
  endif()
  set(${var} "${env}" PARENT_SCOPE)
endfunction()

function(ember_add_mpi_test)
  cmake_parse_arguments(A "" "NAME;NP;TIMEOUT" "COMMAND;PASS_REGULAR_EXPRESSION;ENVIRONMENT" ${ARGN})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 60)
  endif()
  ember_mpi_test_environment(env ${A_ENVIRONMENT})
  add_test(NAME ${A_NAME}
           COMMAND ${MPIEXEC_EXECUTABLE} -np ${A_NP} --oversubscribe --bind-to none ${A_COMMAND})
  set_tests_properties(${A_NAME} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${A_TIMEOUT} PROCESSORS ${A_NP})
  if(A_PASS_REGULAR_EXPRESSION)
    set_tests_properties(${A_NAME} PROPERTIES PASS_REGULAR_EXPRESSION "${A_PASS_REGULAR_EXPRESSION}")
  endif()
endfunction()
