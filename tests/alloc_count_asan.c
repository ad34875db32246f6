/* Allocation counting for sanitizer builds: ASan owns malloc, so count through its hooks. */
#include <sanitizer/allocator_interface.h>
#include <stddef.h>

#include "alloc_count.h"

static void on_malloc(const volatile void *pointer, size_t size) {
    (void)pointer;
    (void)size;
    alloc_count_note_();
}

static void on_free(const volatile void *pointer) {
    (void)pointer;
}

__attribute__((constructor)) static void install_hooks(void) {
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
