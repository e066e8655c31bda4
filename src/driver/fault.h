/* Test-only fault injection (-fault_inject POINT[:N]): the tests kill or fail the run at named
 * points to prove that results on disk survive. Built in with the CMake option
 * ICLSWEEP_FAULT_INJECTION (default ON); OFF, every hook compiles to nothing and
 * -fault_inject is refused. A new point: one name in ICLFaultPoint (and its name in
 * options.c's list), and one ICL_FAULT line where it strikes. */
#ifndef ICL_FAULT_H
#define ICL_FAULT_H

typedef enum {
  ICL_FAULT_JOURNAL_WRITE, /* journal_write:N: die half-way through journal record N */
  ICL_FAULT_RESULTS_WRITE, /* results_write: die while writing results.nc */
  ICL_FAULT_CELL_FAIL,     /* cell_fail:N: cell N fails as if out of memory */
  ICL_FAULT_RANK_FAIL,     /* rank_fail:R: rank R fails outside any cell */
  ICL_FAULT_STEP_FAIL,     /* step_fail:N: GD step 1 of cell N fails on its group's last rank */
  ICL_FAULT_NODE_RANKS,    /* node_ranks:N: the run sees nodes of N ranks at most (lending stays in one) */
  ICL_FAULT_COUNT
} ICLFaultPoint;

#if ICL_FAULT_INJECTION
  /* where cond holds, do the rest (statements) */
  #define ICL_FAULT(cond, ...) \
    do { \
      if (cond) { __VA_ARGS__; } \
    } while (0)
#else
  #define ICL_FAULT(cond, ...) \
    do { \
    } while (0)
#endif

#endif
