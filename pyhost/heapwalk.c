/* heapwalk.c: one pass over the collector's generation lists, for the
 * stale scan's instances_of. It reads CPython 3.11's internal GC layout, so
 * it is compiled only against 3.11; other versions use gc.get_objects().
 * It runs with the GIL held and calls no Python code while it walks: only
 * pointer comparisons and list appends (which allocate no GC objects). */
#define Py_BUILD_CORE_MODULE 1
#include <Python.h>

#include "heapwalk.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"

int pyhost_heapwalk_available(void) { return 1; }

int pyhost_heapwalk(PyObject *out, int (*match)(void *ctx, PyTypeObject *t), void *ctx) {
	struct _gc_runtime_state *gcstate = &PyInterpreterState_Get()->gc;
	for (int i = 0; i < NUM_GENERATIONS; i++) {
		PyGC_Head *head = &gcstate->generations[i].head;
		for (PyGC_Head *gc = _PyGCHead_NEXT(head); gc != head; gc = _PyGCHead_NEXT(gc)) {
			PyObject *op = (PyObject *)(gc + 1); /* as gcmodule.c FROM_GC */
			if (match(ctx, Py_TYPE(op)) && PyList_Append(out, op) < 0) {
				return -1;
			}
		}
	}
	return 0;
}
#else
int pyhost_heapwalk_available(void) { return 0; }

int pyhost_heapwalk(PyObject *out, int (*match)(void *ctx, PyTypeObject *t), void *ctx) {
	PyErr_SetString(PyExc_SystemError, "heap walk not built for this Python");
	return -1;
}
#endif
