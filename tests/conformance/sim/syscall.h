/* Reached as "../syscall.h" from a suite program through -I .../include. */
#include "src/syscall.h"
