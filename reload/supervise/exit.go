package supervise

import (
	"fmt"
	"strings"
	"syscall"
)

// Exit tells how a host process ended.
type Exit struct {
	PID          int
	Code         int    // exit status, -1 when killed by a signal
	Signal       string // e.g. "SIGSEGV", empty when it exited
	SignalNumber int
	Stderr       []string
	// Expected is true when the parent asked the host to stop.
	Expected bool
	Err      error
}

// String explains the exit for a person.
func (e Exit) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the Python host (pid %d) ", e.PID)
	switch {
	case e.Expected:
		b.WriteString("was stopped")
	case e.Signal != "":
		fmt.Fprintf(&b, "was killed by %s (%s)", e.Signal, signalMeaning(e.Signal))
	case e.Err != nil && e.Code < 0:
		fmt.Fprintf(&b, "failed: %v", e.Err)
	default:
		fmt.Fprintf(&b, "exited with code %d", e.Code)
	}
	if len(e.Stderr) > 0 {
		fmt.Fprintf(&b, "; last output:\n  %s", strings.Join(e.Stderr, "\n  "))
	}
	return b.String()
}

func signalMeaning(name string) string {
	switch name {
	case "SIGSEGV":
		return "a segmentation fault in native code"
	case "SIGABRT":
		return "os.abort() or a fatal error"
	case "SIGKILL":
		return "killed, possibly by the out-of-memory killer"
	case "SIGTERM", "SIGINT":
		return "asked to stop"
	case "SIGBUS":
		return "a bus error in native code"
	}
	return "signal"
}

func exitFromState(pid int, ws syscall.WaitStatus, err error) Exit {
	e := Exit{PID: pid, Code: ws.ExitStatus(), Err: err}
	if ws.Signaled() {
		e.Code = -1
		e.Signal = signalName(ws.Signal())
		e.SignalNumber = int(ws.Signal())
	}
	return e
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGKILL: "SIGKILL",
		syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGILL: "SIGILL", syscall.SIGHUP: "SIGHUP",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
