/* mainthread.c: the interpreter's main thread (the one that initialised
 * CPython) and what Ctrl-C does to it, as under python3. */
#include <Python.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "bridge.h"

static pthread_t main_thread;
static int main_marked;

static void wake_noop(int sig) { (void)sig; }

static int wake_signal(void) { return SIGRTMIN + 3; }

void pyhost_mark_main_thread(void) {
	struct sigaction sa;
	main_thread = pthread_self();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = wake_noop;
	sigemptyset(&sa.sa_mask);
	/* SA_ONSTACK, as Go requires of handlers that may run on its threads;
	 * no SA_RESTART, so that a blocking call returns EINTR. */
	sa.sa_flags = SA_ONSTACK;
	sigaction(wake_signal(), &sa, NULL);
	main_marked = 1;
}

void pyhost_interrupt_main(void) {
	if (!main_marked) {
		return;
	}
	PyErr_SetInterruptEx(SIGINT);
	pthread_kill(main_thread, wake_signal());
}

int pyhost_python_sigint(void) {
	struct sigaction keep;
	PyObject *signal_mod, *handler, *res = NULL;
	if (sigaction(SIGINT, NULL, &keep) != 0) {
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	signal_mod = PyImport_ImportModule("signal");
	if (signal_mod == NULL) {
		return -1;
	}
	handler = PyObject_GetAttrString(signal_mod, "default_int_handler");
	if (handler != NULL) {
		res = PyObject_CallMethod(signal_mod, "signal", "iO", SIGINT, handler);
	}
	/* Python's table now has the handler; the process-level one stays Go's. */
	sigaction(SIGINT, &keep, NULL);
	Py_XDECREF(handler);
	Py_DECREF(signal_mod);
	if (res == NULL) {
		return -1;
	}
	Py_DECREF(res);
	return 0;
}
