package hostproto

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// RunLock is the lock a `pyreload run` holds on its root for as long as it
// runs, so that of two started at the same instant only one serves the
// root: looking for a running host and starting one are not one step.
// The kernel drops it when the process ends, however it ends.
type RunLock struct {
	f    *os.File
	path string
}

// LockedError is returned by LockRun when another process holds the lock.
type LockedError struct {
	Root string
	PID  int // the holder, as it wrote itself in the lock file (0: unknown)
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another pyreload run (pid %d) holds the lock of %s", e.PID, e.Root)
}

// LockRun takes root's run lock without waiting: a *LockedError when
// another process has it. The lock file, <roothash>.run.lock in the socket
// directory, holds the holder's pid.
func LockRun(root string) (*RunLock, error) {
	dir, err := SocketDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, RootHash(root)+".run.lock")
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("run lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			pid := holder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &LockedError{Root: root, PID: pid}
			}
			return nil, fmt.Errorf("run lock %s: %w", path, err)
		}
		// The last holder removes the file on release: the lock counts only
		// if it is on the file that is at path now.
		var held, now syscall.Stat_t
		if syscall.Fstat(int(f.Fd()), &held) == nil && syscall.Stat(path, &now) == nil &&
			held.Dev == now.Dev && held.Ino == now.Ino {
			f.Truncate(0)
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			return &RunLock{f: f, path: path}, nil
		}
		f.Close()
	}
}

// Release removes the lock file and drops the lock.
func (l *RunLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path) // while still holding it: see LockRun
	l.f.Close()
	l.f = nil
}

func holder(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	return pid
}
