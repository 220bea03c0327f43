package lsp

// A host that starts and then dies is restarted, a few times and with a
// growing pause: a module that crashes the interpreter at import would
// otherwise restart it without end. One message per crash loop; when the
// loop gives up, pyreload/status says "failed" with the reason and the file
// to fix, and saving a Python file of the root starts the host again.

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload/supervise"
)

const (
	// maxCrashRestarts is how many times a crashing host is restarted in a
	// row before the root is left failed.
	maxCrashRestarts = 4
	// crashStable is how long a host must have lived for its death to start
	// a new loop rather than continue the last one.
	crashStable = 30 * time.Second
)

// crashBackoff is the pause before the n-th restart of a loop (n from 1).
func crashBackoff(n int) time.Duration {
	return min(250*time.Millisecond<<(n-1), 4*time.Second)
}

// crashLoop is a root's run of host deaths.
type crashLoop struct {
	mu        sync.Mutex // mu guards the fields below.
	count     int        // deaths in this loop
	announced bool       // the loop's one message was shown
	reason    string     // how the first host of the loop died, for a person
	file      string     // the file to fix, when known
	failed    bool       // the loop gave up: a save starts the host again
	lastSave  string     // the Python file last saved in the root
}

// record counts a death and returns the loop's count; a host that lived
// crashStable starts a new loop.
func (c *crashLoop) record(reason, file string, lived time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if lived >= crashStable {
		c.count, c.announced, c.reason, c.file = 0, false, "", ""
	}
	if c.count == 0 {
		c.reason = reason
	}
	if file != "" {
		c.file = file
	}
	c.count++
	return c.count
}

// saved notes a saved file; it reports whether the loop had given up, in
// which case it is reset and the caller starts the host again.
func (c *crashLoop) saved(path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastSave = path
	if !c.failed {
		return false
	}
	c.count, c.announced, c.failed, c.reason, c.file = 0, false, false, "", ""
	return true
}

// reset forgets the loop (the user restarted the interpreter).
func (c *crashLoop) reset() {
	c.mu.Lock()
	c.count, c.announced, c.failed, c.reason, c.file = 0, false, false, "", ""
	c.mu.Unlock()
}

// hostDied handles the unexpected death of a host that lived for lived: the
// root's state is cleared and a new host started after a pause, unless the
// loop is over its bound.
func (r *root) hostDied(e supervise.Exit, lived time.Duration) {
	r.s.log.Errorf("%s: host exited after %s: %s", r.dir, lived.Round(time.Millisecond), e)
	r.clearAll()
	r.mu.Lock()
	r.host = nil
	r.mu.Unlock()
	r.refreshFleet()

	reason := shortExit(e)
	n := r.crash.record(reason, r.crashFile(e), lived)
	if n > maxCrashRestarts {
		r.crashFailed(n)
		return
	}
	r.announceState("restarting")
	select {
	case <-time.After(crashBackoff(n)):
	case <-r.s.ctx.Done():
		return
	}
	r.mu.Lock()
	started := r.host != nil
	r.mu.Unlock()
	if started {
		return // a restart by the user came first
	}
	// The dead host's Exit is consumed: start a new Host rather than Restart.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if r.s.ctx.Err() != nil {
			return
		}
		if err = r.startHost(); err == nil {
			break
		}
		r.s.log.Errorf("%s: restart: %v", r.dir, err)
		time.Sleep(time.Duration(attempt+1) * time.Second)
	}
	if err != nil {
		r.crash.mu.Lock()
		r.crash.failed = true
		r.crash.mu.Unlock()
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: could not restart the Python host of %s: %v; save a file or run pyreload.restartInterpreter", filepath.Base(r.dir), err))
		r.announceFailure(err.Error(), "")
		return
	}
	if !r.hostAnswers() {
		return // it died starting up: its own watcher continues the loop
	}
	r.crash.mu.Lock()
	first := !r.crash.announced
	r.crash.announced = true
	r.crash.mu.Unlock()
	if first {
		r.s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("pyreload: the Python host of %s died: it %s; it was restarted", filepath.Base(r.dir), reason))
	}
}

// crashFailed leaves the root without a host after n deaths in a row.
func (r *root) crashFailed(n int) {
	r.crash.mu.Lock()
	r.crash.failed = true
	reason, file := r.crash.reason, r.crash.file
	r.crash.mu.Unlock()
	fix := "fix the code it runs and save the file"
	if file != "" {
		fix = "fix " + file + " and save it"
	}
	r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: the Python host of %s died %d times in a row (it %s); %s to start it again",
		filepath.Base(r.dir), n, reason, fix))
	r.announceFailure(fmt.Sprintf("the Python host died %d times in a row: it %s", n, reason), file)
}

// announceFailure sends pyreload/status "failed" with why and, when known,
// the file whose fix and save start the host again.
func (r *root) announceFailure(reason, file string) {
	status := map[string]any{"root": pathToURI(r.dir), "state": "failed", "pids": []int{}, "reason": reason}
	if file != "" {
		status["file"] = pathToURI(file)
	}
	r.s.notify("pyreload/status", status)
}

// hostAnswers reports whether the root's embedded host answers a ping.
func (r *root) hostAnswers() bool {
	r.mu.Lock()
	h := r.host
	r.mu.Unlock()
	if h == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, 5*time.Second)
	defer cancel()
	return h.Interpreter().Call(ctx, "ping", nil, nil) == nil
}

// restartAfterCrashes starts the host of a root whose crash loop gave up,
// when path, just saved, is a Python file: it reports whether it did.
func (r *root) restartAfterCrashes(path string) bool {
	if !strings.HasSuffix(path, ".py") || !r.crash.saved(path) {
		return false
	}
	r.s.log.Infof("%s: %s saved after the host's crash loop: starting it again", r.dir, path)
	r.enqueue(&job{kind: jobRestart})
	return true
}

// shortExit says how a host died, without its pid or output.
func shortExit(e supervise.Exit) string {
	switch {
	case e.Signal != "":
		return "was killed by " + e.Signal
	case e.Err != nil && e.Code < 0:
		return "failed: " + e.Err.Error()
	}
	return fmt.Sprintf("exited with code %d", e.Code)
}

// faultFrame is a frame line of faulthandler's dump (most recent first).
var faultFrame = regexp.MustCompile(`^\s*File "([^"]+)", line \d+`)

// crashFile is the file to fix after a death: the innermost frame in the
// root of faulthandler's dump of the crashing thread, else the file last
// saved.
func (r *root) crashFile(e supervise.Exit) string {
	lines := e.Stderr
	for i, l := range lines {
		if strings.HasPrefix(l, "Current thread") {
			lines = lines[i+1:] // the crashing thread's frames come first
			break
		}
	}
	for _, l := range lines {
		if m := faultFrame.FindStringSubmatch(l); m != nil && strings.HasPrefix(m[1], r.dir+string(filepath.Separator)) {
			return m[1]
		}
	}
	r.crash.mu.Lock()
	defer r.crash.mu.Unlock()
	return r.crash.lastSave
}
