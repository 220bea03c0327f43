package supervise

import (
	"fmt"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// How says how the process ended, without its pid or output: "was killed
// by SIGSEGV (a segmentation fault in native code)", "exited with code 3".
func (e Exit) How() string {
	switch {
	case e.Signal != "":
		return fmt.Sprintf("was killed by %s (%s)", e.Signal, signalMeaning(e.Signal))
	case e.Err != nil && e.Code < 0:
		return "failed: " + e.Err.Error()
	}
	return fmt.Sprintf("exited with code %d", e.Code)
}

// noteDeath leaves a death note for the clients of a host killed by a
// signal, so that one whose call was cut off can say how
// (hostproto.DiedError). A host that exits by itself needs none.
func noteDeath(root string, e Exit) {
	if e.Expected || e.Signal == "" {
		return
	}
	hostproto.WriteDeathNote(root, e.PID, e.How())
}
