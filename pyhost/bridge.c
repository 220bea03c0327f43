/* bridge.c: see bridge.h. */
#define _GNU_SOURCE
#include "bridge.h"
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

/* instances_of(types) -> list of the GC-tracked objects whose exact type is
 * in the set or frozenset `types`. One pass over the heap, no per-object
 * Python code: the stale scan's hot loop. */
static PyObject *accel_instances_of(PyObject *self, PyObject *arg) {
	/* Any iterable of types; a set makes the membership test O(1). */
	PyObject *types = PyAnySet_Check(arg) ? (Py_INCREF(arg), arg) : PySet_New(arg);
	if (!types) {
		return NULL;
	}
	PyObject *gc = PyImport_ImportModule("gc");
	if (!gc) {
		Py_DECREF(types);
		return NULL;
	}
	PyObject *all = PyObject_CallMethod(gc, "get_objects", NULL);
	Py_DECREF(gc);
	if (!all) {
		Py_DECREF(types);
		return NULL;
	}
	PyObject *out = PyList_New(0);
	Py_ssize_t n = PyList_GET_SIZE(all);
	/* The types go into an open-addressing table of pointers: one multiply
	 * and usually one compare per object, no Python-level hashing. */
	Py_ssize_t ntypes = PySet_GET_SIZE(types);
	size_t cap = 16;
	while (cap < (size_t)ntypes * 2) {
		cap <<= 1;
	}
	uintptr_t *table = PyMem_Calloc(cap, sizeof(uintptr_t));
	if (!table) {
		Py_DECREF(all);
		Py_DECREF(types);
		Py_XDECREF(out);
		return PyErr_NoMemory();
	}
	Py_ssize_t pos = 0;
	PyObject *key;
	Py_hash_t hash;
	while (_PySet_NextEntry(types, &pos, &key, &hash)) {
		size_t h = slot_of((uintptr_t)key, cap);
		while (table[h] && table[h] != (uintptr_t)key) {
			h = (h + 1) & (cap - 1);
		}
		table[h] = (uintptr_t)key;
	}
	for (Py_ssize_t i = 0; out && i < n; i++) {
		PyObject *o = PyList_GET_ITEM(all, i);
		uintptr_t t = (uintptr_t)Py_TYPE(o);
		size_t h = slot_of(t, cap);
		int hit = 0;
		while (table[h]) {
			if (table[h] == t) {
				hit = 1;
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (hit < 0 || (hit && PyList_Append(out, o) < 0)) {
			Py_CLEAR(out);
		}
	}
	PyMem_Free(table);
	Py_DECREF(all);
	Py_DECREF(types);
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
