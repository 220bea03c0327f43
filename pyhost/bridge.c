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

void pyhost_clear_interrupt(unsigned long ident) {
	PyThreadState_SetAsyncExc(ident, NULL);
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
	for (Py_ssize_t i = 0; out && i < n; i++) {
		PyObject *o = PyList_GET_ITEM(all, i);
		int hit = PySet_Contains(types, (PyObject *)Py_TYPE(o));
		if (hit < 0 || (hit && PyList_Append(out, o) < 0)) {
			Py_CLEAR(out);
		}
	}
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
