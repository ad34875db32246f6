/*
 * The layout of liburing 2.3's ABI as one header gives it: the size and offset of every
 * field of struct io_uring, io_uring_sq and io_uring_cq, and the kernel structures they
 * carry. Built against the system's liburing and against the sim's drop-in, the two
 * outputs must be identical (tests/sim/abi.sh): a program compiled against one and linked
 * against the other then shares its rings correctly.
 */
#include <liburing.h>
#include <stddef.h>
#include <stdio.h>

#define FIELD(type, field)                                                 \
    printf("%s.%s %zu %zu\n", #type, #field, offsetof(struct type, field), \
           sizeof(((struct type *)0)->field))
#define SIZE(type) printf("sizeof %s %zu\n", #type, sizeof(struct type))

static void sq(void) {
    SIZE(io_uring_sq);
    FIELD(io_uring_sq, khead);
    FIELD(io_uring_sq, ktail);
    FIELD(io_uring_sq, kring_mask);
    FIELD(io_uring_sq, kring_entries);
    FIELD(io_uring_sq, kflags);
    FIELD(io_uring_sq, kdropped);
    FIELD(io_uring_sq, array);
    FIELD(io_uring_sq, sqes);
    FIELD(io_uring_sq, sqe_head);
    FIELD(io_uring_sq, sqe_tail);
    FIELD(io_uring_sq, ring_sz);
    FIELD(io_uring_sq, ring_ptr);
    FIELD(io_uring_sq, ring_mask);
    FIELD(io_uring_sq, ring_entries);
    FIELD(io_uring_sq, pad);
}

static void cq(void) {
    SIZE(io_uring_cq);
    FIELD(io_uring_cq, khead);
    FIELD(io_uring_cq, ktail);
    FIELD(io_uring_cq, kring_mask);
    FIELD(io_uring_cq, kring_entries);
    FIELD(io_uring_cq, kflags);
    FIELD(io_uring_cq, koverflow);
    FIELD(io_uring_cq, cqes);
    FIELD(io_uring_cq, ring_sz);
    FIELD(io_uring_cq, ring_ptr);
    FIELD(io_uring_cq, ring_mask);
    FIELD(io_uring_cq, ring_entries);
    FIELD(io_uring_cq, pad);
}

static void ring(void) {
    SIZE(io_uring);
    FIELD(io_uring, sq);
    FIELD(io_uring, cq);
    FIELD(io_uring, flags);
    FIELD(io_uring, ring_fd);
    FIELD(io_uring, features);
    FIELD(io_uring, enter_ring_fd);
    FIELD(io_uring, int_flags);
    FIELD(io_uring, pad);
    FIELD(io_uring, pad2);
}

int main(void) {
    sq();
    cq();
    ring();
    SIZE(io_uring_sqe);
    SIZE(io_uring_cqe);
    SIZE(io_uring_params);
    SIZE(io_uring_probe);
    SIZE(io_uring_probe_op);
    SIZE(io_uring_getevents_arg);
    SIZE(io_uring_rsrc_register);
    SIZE(io_uring_rsrc_update2);
    return 0;
}
