package session

// A host that starts and then dies is restarted, a few times and with a
// growing pause: a module that crashes the interpreter at import would
// otherwise restart it without end. One message per crash loop; when the
// loop gives up, the status is "failed" with the reason and the file to
// fix, and saving a Python file of the root starts the host again.

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

const (
	// MaxCrashRestarts is how many times a crashing host is restarted in a
	// row before the root is left failed.
	MaxCrashRestarts = 4
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

// giveUp marks the loop failed and returns its reason and file.
func (c *crashLoop) giveUp() (reason, file string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed = true
	return c.reason, c.file
}

// firstAnnounce reports whether the loop's one message is still to show,
// and marks it shown.
func (c *crashLoop) firstAnnounce() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := !c.announced
	c.announced = true
	return first
}

// hostDied handles the unexpected death of a host that lived for lived: the
// root's findings are cleared and a new host started after a pause, unless
// the loop is over its bound.
func (s *Session) hostDied(e Exit, lived time.Duration) {
	s.cfg.Log.Errorf("%s: host exited after %s: %s", s.dir, lived.Round(time.Millisecond), e)
	s.hostGone()

	reason := shortExit(e)
	n := s.crash.record(reason, s.crashFile(e), lived)
	if n > MaxCrashRestarts {
		s.crashFailed(n)
		return
	}
	s.status(Status{State: "restarting"})
	select {
	case <-time.After(crashBackoff(n)):
	case <-s.ctx.Done():
		return
	}
	s.mu.Lock()
	started := s.host != nil
	s.mu.Unlock()
	if started {
		return // a restart by the user came first
	}
	// The dead host's Exit is consumed: start a new Host rather than Restart.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.ctx.Err() != nil {
			return
		}
		if err = s.startHost(); err == nil {
			break
		}
		s.cfg.Log.Errorf("%s: restart: %v", s.dir, err)
		time.Sleep(time.Duration(attempt+1) * time.Second)
	}
	if err != nil {
		s.crash.giveUp()
		s.message(Error, "pyreload: could not restart the Python host of %s: %v; save a file or run pyreload.restartInterpreter", filepath.Base(s.dir), err)
		s.status(Status{State: "failed", PIDs: []int{}, Reason: err.Error()})
		return
	}
	if !s.hostAnswers() {
		return // it died starting up: its own watcher continues the loop
	}
	if s.crash.firstAnnounce() {
		s.message(Warning, "pyreload: the Python host of %s died: it %s; it was restarted", filepath.Base(s.dir), reason)
	}
}

// crashFailed leaves the root without a host after n deaths in a row.
func (s *Session) crashFailed(n int) {
	reason, file := s.crash.giveUp()
	fix := "fix the code it runs and save the file"
	if file != "" {
		fix = "fix " + file + " and save it"
	}
	s.message(Error, "pyreload: the Python host of %s died %d times in a row (it %s); %s to start it again",
		filepath.Base(s.dir), n, reason, fix)
	s.status(Status{State: "failed", PIDs: []int{}, File: file,
		Reason: fmt.Sprintf("the Python host died %d times in a row: it %s", n, reason)})
}

// hostAnswers reports whether the embedded host answers a ping.
func (s *Session) hostAnswers() bool {
	s.mu.Lock()
	h := s.host
	s.mu.Unlock()
	if h == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	return h.Interpreter().Call(ctx, "ping", nil, nil) == nil
}

// restartAfterCrashes starts the host of a root whose crash loop gave up,
// when path, just saved, is a Python file: it reports whether it did.
func (s *Session) restartAfterCrashes(path string) bool {
	if !strings.HasSuffix(path, ".py") || !s.crash.saved(path) {
		return false
	}
	s.cfg.Log.Infof("%s: %s saved after the host's crash loop: starting it again", s.dir, path)
	s.enqueue(&job{kind: jobRestart})
	return true
}

// shortExit says how a host died, without its pid or output.
func shortExit(e Exit) string {
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
func (s *Session) crashFile(e Exit) string {
	lines := e.Stderr
	for i, l := range lines {
		if strings.HasPrefix(l, "Current thread") {
			lines = lines[i+1:] // the crashing thread's frames come first
			break
		}
	}
	for _, l := range lines {
		if m := faultFrame.FindStringSubmatch(l); m != nil && strings.HasPrefix(m[1], s.dir+string(filepath.Separator)) {
			return m[1]
		}
	}
	s.crash.mu.Lock()
	defer s.crash.mu.Unlock()
	return s.crash.lastSave
}
