/*
 * compat.h: lets github.com/go-python/cpy3 v0.2.0 (written for CPython 3.7)
 * build against CPython 3.9+. It is force-included into every cgo compile
 * through python3.pc beside it. It only declares what newer CPython removed;
 * nothing here is called by pyreload.
 */
#ifndef PYRELOAD_CPY3_COMPAT_H
#define PYRELOAD_CPY3_COMPAT_H
#ifndef __ASSEMBLER__

/* No #include <Python.h> here: this header also reaches cgo's generated
 * wrappers, which redeclare Python's data symbols with other types. Only
 * plain C types appear below. */
/* Free lists are cleared by the GC since 3.9; the functions are gone. */
static inline int PyDict_ClearFreeList(void) { return 0; }
static inline int PyFloat_ClearFreeList(void) { return 0; }
static inline int PyList_ClearFreeList(void) { return 0; }
/* Removed in 3.9: PyOS_AfterFork_Child does its work. */
static inline void PyEval_ReInitThreads(void) {}
/* Declared by 3.11's headers but no longer exported: weak, so linking works. */
int PySignal_SetWakeupFd(int fd) __attribute__((weak));

#endif /* __ASSEMBLER__ */
#endif /* PYRELOAD_CPY3_COMPAT_H */
