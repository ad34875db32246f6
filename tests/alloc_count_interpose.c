/* Allocation counting for plain builds: this executable's malloc family wins symbol
 * resolution over glibc's (for the library and for liburing.so alike) and forwards to
 * glibc's __libc_* entry points. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc_count.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *pointer, size_t size);
void free(void *pointer);
int posix_memalign(void **result, size_t alignment, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
void *memalign(size_t alignment, size_t size);
void *valloc(size_t size);

void *malloc(size_t size) {
    alloc_count_note_();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    alloc_count_note_();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    alloc_count_note_();
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    __libc_free(pointer);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    alloc_count_note_();
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *result = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    alloc_count_note_();
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    alloc_count_note_();
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    alloc_count_note_();
    return __libc_memalign(4096, size);
}
