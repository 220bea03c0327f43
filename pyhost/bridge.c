/* bridge.c: see bridge.h. */
#define _GNU_SOURCE
#include "bridge.h"
#include "heapwalk.h"
#include <dlfcn.h>
#include <signal.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static char executable[PATH_MAX];

const char *pyhost_default_executable(void) {
	Dl_info info;
	if (!dladdr((void *)Py_InitializeEx, &info) || !info.dli_fname) {
		return "";
	}
	/* .../PREFIX/lib[/multiarch]/libpython3.X.so -> PREFIX/bin/python3.X */
	char lib[PATH_MAX];
	if (!realpath(info.dli_fname, lib)) {
		return "";
	}
	char *cut = strstr(lib, "/lib/");
	if (!cut) {
		return "";
	}
	*cut = '\0';
	snprintf(executable, sizeof executable, "%s/bin/python%d.%d", lib,
	         PY_MAJOR_VERSION, PY_MINOR_VERSION);
	if (access(executable, X_OK) != 0) {
		return "";
	}
	return executable;
}

unsigned long pyhost_thread_ident(void) { return PyThread_get_thread_ident(); }

int pyhost_interrupt(unsigned long ident) {
	return PyThreadState_SetAsyncExc(ident, PyExc_KeyboardInterrupt);
}

int pyhost_async_pending(void) { return PyThreadState_Get()->async_exc != NULL; }

static inline size_t slot_of(uintptr_t p, size_t cap) {
	return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull) & (cap - 1);
}

/* typetable: a set of type pointers in an open-addressing table, so that a
 * membership test is one multiply and usually one compare. */
struct typetable {
	uintptr_t *slots;
	size_t cap;
};

static int typetable_init(struct typetable *tt, PyObject *types) {
	tt->cap = 16;
	while (tt->cap < (size_t)PySet_GET_SIZE(types) * 2) {
		tt->cap <<= 1;
	}
	tt->slots = PyMem_Calloc(tt->cap, sizeof(uintptr_t));
	if (!tt->slots) {
		PyErr_NoMemory();
		return -1;
	}
	Py_ssize_t pos = 0;
	PyObject *key;
	Py_hash_t hash;
	while (_PySet_NextEntry(types, &pos, &key, &hash)) {
		size_t h = slot_of((uintptr_t)key, tt->cap);
		while (tt->slots[h] && tt->slots[h] != (uintptr_t)key) {
			h = (h + 1) & (tt->cap - 1);
		}
		tt->slots[h] = (uintptr_t)key;
	}
	return 0;
}

static int typetable_has(void *ctx, PyTypeObject *t) {
	struct typetable *tt = ctx;
	for (size_t h = slot_of((uintptr_t)t, tt->cap); tt->slots[h]; h = (h + 1) & (tt->cap - 1)) {
		if (tt->slots[h] == (uintptr_t)t) {
			return 1;
		}
	}
	return 0;
}

/* Appends the objects of the list all that typetable accepts. */
static int filter_list(PyObject *out, PyObject *all, struct typetable *tt) {
	Py_ssize_t n = PyList_GET_SIZE(all);
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *o = PyList_GET_ITEM(all, i);
		if (typetable_has(tt, Py_TYPE(o)) && PyList_Append(out, o) < 0) {
			return -1;
		}
	}
	return 0;
}

/* instances_of(types) -> list of the GC-tracked objects whose exact type is
 * one of types (any iterable). One pass over the heap, no Python code per
 * object: the stale scan's hot loop. On CPython 3.11 it walks the
 * collector's lists directly; elsewhere it filters gc.get_objects(). */
static PyObject *accel_instances_of(PyObject *self, PyObject *arg) {
	PyObject *types = PyAnySet_Check(arg) ? (Py_INCREF(arg), arg) : PySet_New(arg);
	if (!types) {
		return NULL;
	}
	struct typetable tt;
	int rc = typetable_init(&tt, types);
	Py_DECREF(types);
	if (rc < 0) {
		return NULL;
	}
	PyObject *out = PyList_New(0);
	if (out && pyhost_heapwalk_available()) {
		rc = pyhost_heapwalk(out, typetable_has, &tt);
	} else if (out) {
		PyObject *gc = PyImport_ImportModule("gc");
		PyObject *all = gc ? PyObject_CallMethod(gc, "get_objects", NULL) : NULL;
		Py_XDECREF(gc);
		rc = all ? filter_list(out, all, &tt) : -1;
		Py_XDECREF(all);
	}
	PyMem_Free(tt.slots);
	if (rc < 0) {
		Py_CLEAR(out);
	}
	return out;
}

static PyMethodDef accel_methods[] = {
	{"instances_of", accel_instances_of, METH_O,
	 "instances_of(types) -> objects whose exact type is one of types (an iterable)"},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef accel_def = {
	PyModuleDef_HEAD_INIT, "_pyreload_accel",
	"C-speed heap filters for pyreload's stale-reference scan.", -1,
	accel_methods,
};

PyObject *pyhost_accel_module(void) { return PyModule_Create(&accel_def); }

void pyhost_default_fatal_signals(void) {
	int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}
