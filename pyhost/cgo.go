package pyhost

/*
#cgo pkg-config: python3
#cgo LDFLAGS: -ldl
#include "bridge.h"
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
