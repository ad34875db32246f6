/*
 * liburing/barrier.h for the simulated kernel: the memory-ordering helpers of liburing 2.3
 * (IO_URING_READ_ONCE, IO_URING_WRITE_ONCE, io_uring_smp_load_acquire,
 * io_uring_smp_store_release, io_uring_smp_mb) on the compiler's atomic builtins, for C and
 * C++ alike. The sim runs one thread of the program at a time; the orderings are the ones
 * real programs write against the real kernel.
 */
#ifndef LIBURING_BARRIER_H
#define LIBURING_BARRIER_H

#define IO_URING_WRITE_ONCE(var, val)    __atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define IO_URING_READ_ONCE(var)          __atomic_load_n(&(var), __ATOMIC_RELAXED)
#define io_uring_smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define io_uring_smp_load_acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define io_uring_smp_mb()                __atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* LIBURING_BARRIER_H */
