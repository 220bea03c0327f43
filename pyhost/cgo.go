package pyhost

/*
#cgo pkg-config: python3
#cgo LDFLAGS: -ldl
#include "bridge.h"

static const char *pyhost_abiflags(void) {
#if defined(Py_GIL_DISABLED) && defined(Py_DEBUG)
	return "td";
#elif defined(Py_GIL_DISABLED)
	return "t";
#elif defined(Py_DEBUG)
	return "d";
#else
	return "";
#endif
}
*/
import "C"

import (
	"strconv"
	"unsafe"

	python3 "github.com/go-python/cpy3"
)

// The C side of pyhost: thin wrappers so that the rest of the package reads
// as Go. Each needs the GIL unless it says otherwise.

func defaultExecutable() string { return C.GoString(C.pyhost_default_executable()) }

func defaultFatalSignals() { C.pyhost_default_fatal_signals() }

func markMainThread() { C.pyhost_mark_main_thread() }

func interruptMain() { C.pyhost_interrupt_main() }

func pythonSigint() bool { return C.pyhost_python_sigint() == 0 }

func threadIdent() uint64 { return uint64(C.pyhost_thread_ident()) }

func interruptThread(ident uint64) int { return int(C.pyhost_interrupt(C.ulong(ident))) }

func asyncPending() bool { return C.pyhost_async_pending() != 0 }

func accelModule() *python3.PyObject {
	return (*python3.PyObject)(unsafe.Pointer(C.pyhost_accel_module()))
}

// BuildVersion is the "major.minor" of the CPython this binary embeds.
func BuildVersion() string {
	return strconv.Itoa(int(C.PY_MAJOR_VERSION)) + "." + strconv.Itoa(int(C.PY_MINOR_VERSION))
}

// EmbeddedVersion is sys.version of the CPython this binary is linked with
// (full version, build date, compiler); it may be asked before Start.
func EmbeddedVersion() string { return python3.Py_GetVersion() }

// EmbeddedABIFlags is sys.abiflags of the CPython this binary embeds.
func EmbeddedABIFlags() string { return C.GoString(C.pyhost_abiflags()) }
