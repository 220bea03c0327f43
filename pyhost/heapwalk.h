/* heapwalk.h: see heapwalk.c. */
#ifndef PYHOST_HEAPWALK_H
#define PYHOST_HEAPWALK_H
#include <Python.h>

/* Whether pyhost_heapwalk works with the CPython this was built against. */
int pyhost_heapwalk_available(void);
/* Append to out every GC-tracked object (as gc.get_objects() lists them)
 * whose type match(ctx, type) accepts. GIL held. -1 with an exception set
 * on failure. */
int pyhost_heapwalk(PyObject *out, int (*match)(void *ctx, PyTypeObject *t), void *ctx);
#endif
