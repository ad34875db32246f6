/*
 * Memory oracles: buffers the kernel writes are ASan-poisoned while their op is in flight,
 * so a program touching them early (or freeing them) is caught; the sim checks, before it
 * writes, that the memory was not freed meanwhile; and SQE pointers into live stack frames
 * are reported when check_stack_pointers is on (I19).
 */
#include "sim_internal.h"

#include <pthread.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#endif

#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

bool ringer_sim_asan_active(void) {
#ifdef SIM_ASAN
    return true;
#else
    return false;
#endif
}

/* Only whole 8-byte granules inside [p, p + n): never a neighbour's bytes. */
__attribute__((unused)) static bool granules(const void *p, size_t n, uintptr_t *begin,
                                             uintptr_t *end) {
    uintptr_t b = ((uintptr_t)p + 7) & ~(uintptr_t)7;
    uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)7;
    *begin = b;
    *end = e;
    return e > b;
}

void ringer_sim_poison(const void *p, size_t n) {
#ifdef SIM_ASAN
    uintptr_t b, e;
    if (granules(p, n, &b, &e)) __asan_poison_memory_region((const void *)b, e - b);
#else
    (void)p;
    (void)n;
#endif
}

void ringer_sim_unpoison(const void *p, size_t n) {
#ifdef SIM_ASAN
    uintptr_t b, e;
    if (granules(p, n, &b, &e)) __asan_unpoison_memory_region((const void *)b, e - b);
#else
    (void)p;
    (void)n;
#endif
}

bool ringer_sim_check_poisoned(const void *p, size_t n) {
#ifdef SIM_ASAN
    uintptr_t b, e;
    if (!granules(p, n, &b, &e)) return true;
    for (uintptr_t a = b; a < e; a += 8) {
        if (!__asan_address_is_poisoned((const void *)a)) return false;
    }
    return true;
#else
    (void)p;
    (void)n;
    return true;
#endif
}

/* Poisons the kernel-written range, clipped at the first byte ASan already considers
 * unaddressable (a redzone): a length larger than the object never poisons a neighbour. */
size_t sim_poison(void *p, size_t n) {
    SIM_ASSERT(p != NULL);
#ifdef SIM_ASAN
    void *first = __asan_region_is_poisoned(p, n);
    if (first != NULL) n = (size_t)((uintptr_t)first - (uintptr_t)p);
#endif
    ringer_sim_poison(p, n);
    return n;
}

#ifdef SIM_ASAN
/* Freed heap memory carries shadow byte 0xfd (kAsanHeapFreeMagic). Reading shadow memory
 * must not itself be instrumented. */
__attribute__((no_sanitize_address)) static void check_not_freed(const void *p, size_t n) {
    uintptr_t b, e;
    size_t scale, offset;
    if (!granules(p, n, &b, &e)) return;
    __asan_get_shadow_mapping(&scale, &offset);
    for (uintptr_t a = b; a < e; a += (uintptr_t)1 << scale) {
        uint8_t shadow = *(const volatile uint8_t *)((a >> scale) + offset);
        if (shadow == 0xfd)
            sim_oracle_fail("the kernel is about to write a buffer that was freed while its "
                            "op was in flight (offset %zu of %zu bytes)",
                            (size_t)(a - (uintptr_t)p), n);
    }
}
#else
static void check_not_freed(const void *p, size_t n) {
    (void)p;
    (void)n;
}
#endif

void sim_unpoison_for_write(void *p, size_t n) {
    SIM_ASSERT(p != NULL);
    check_not_freed(p, n);
    ringer_sim_unpoison(p, n);
}

/* What access_ok and the first fault of copy_from_user catch without touching memory: the
 * zero page, addresses beyond user space, ranges that wrap. */
bool sim_user_ok(const void *p, uint64_t len) {
    uint64_t a = (uint64_t)(uintptr_t)p;
    if (len == 0) return true;
    return a >= 4096 && a + len >= a && a + len <= 0x7ffffffff000ull;
}

void sim_check_not_stack(const void *p, const char *what) {
    if (!sim_cfg.o.check_stack_pointers || p == NULL) return;
    static uintptr_t stack_lo, stack_hi;
    if (stack_hi == 0) {
        pthread_attr_t attr;
        void *addr;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
        pthread_attr_getstack(&attr, &addr, &size);
        pthread_attr_destroy(&attr);
        stack_lo = (uintptr_t)addr;
        stack_hi = stack_lo + size;
    }
    volatile char here = 0;
    uintptr_t sp = (uintptr_t)&here;
    uintptr_t a = (uintptr_t)p;
    SIM_ASSERT(sp >= stack_lo && sp <= stack_hi);
    if (a >= sp && a < stack_hi)
        sim_oracle_fail("an SQE's %s points into a live stack frame (I19)", what);
}
