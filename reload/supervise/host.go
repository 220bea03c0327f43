package supervise

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// Options says how to start a host: what it runs (the options its
// arguments carry, hostproto.HostOptions) and how this side starts it.
type Options struct {
	hostproto.HostOptions
	// Exe is the pyreload binary; empty means this one.
	Exe string
	// Stdout receives what user code prints; nil means Stderr.
	Stdout io.Writer
	// Stderr receives the host's stderr; nil discards it (the tail is kept).
	Stderr io.Writer
	// ReadyTimeout bounds the start; zero means 30 s.
	ReadyTimeout time.Duration
	// Foreground (pyreload run) makes the host share this process's group
	// and stdin, as the app would under python3: it reads the terminal
	// (input(), breakpoint()), and the terminal's Ctrl-C and Ctrl-Z reach it
	// directly. Otherwise the host has its own group and no stdin, so an
	// editor's or a shell's signals never reach it.
	Foreground bool
}

// Host is a running `pyreload host` child.
type Host struct {
	opts Options

	mu     sync.Mutex // mu guards the fields below.
	cmd    *exec.Cmd
	client *hostproto.Client
	exited chan Exit
	done   chan struct{} // closed when the current process has exited
	stop   bool
}

// Start starts a host for opts.Root and returns once it answers.
func Start(ctx context.Context, opts Options) (*Host, error) {
	h := &Host{opts: opts}
	if err := h.start(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// Interpreter is the connection to the current host process.
func (h *Host) Interpreter() reload.Interpreter {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.client
}

// PID is the current host process id.
func (h *Host) PID() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cmd.Process.Pid
}

// Interrupt sends SIGINT to the current host process: what Ctrl-C does to
// python3, a KeyboardInterrupt in its app's main thread (a host without a
// running app exits 130).
func (h *Host) Interrupt() {
	h.mu.Lock()
	cmd := h.cmd
	h.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(syscall.SIGINT)
	}
}

// Exited delivers one Exit when the current host process ends.
func (h *Host) Exited() <-chan Exit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exited
}

// Restart stops the current process (if alive) and starts a new one.
func (h *Host) Restart(ctx context.Context) error {
	h.Stop()
	return h.start(ctx)
}

// Stop asks the host to shut down, then terminates it if it does not.
func (h *Host) Stop() error {
	h.mu.Lock()
	h.stop = true
	cmd, client, done := h.cmd, h.client, h.done
	h.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		client.Call(ctx, "shutdown", nil, nil)
		cancel()
		client.Close()
	}
	for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
		if sig != 0 {
			cmd.Process.Signal(sig)
		}
		select {
		case <-done:
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	return fmt.Errorf("host pid %d did not stop", cmd.Process.Pid)
}

func (h *Host) start(ctx context.Context) error {
	exe := h.opts.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return err
		}
	}
	args := append([]string{"host", "--" + hostproto.ReadyFDFlag + "=3"}, h.opts.Args()...)
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	tail := newTailWriter(h.opts.Stderr, 30)
	cmd := exec.Command(exe, args...)
	cmd.Dir = h.opts.Root
	cmd.Stderr = tail
	cmd.Stdout = h.opts.Stdout
	if cmd.Stdout == nil {
		cmd.Stdout = tail
	}
	cmd.ExtraFiles = []*os.File{readyW}
	// Pdeathsig: the host never outlives its parent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if h.opts.Foreground {
		cmd.Stdin = os.Stdin
	} else {
		cmd.SysProcAttr.Setpgid = true
	}
	if err := cmd.Start(); err != nil {
		readyW.Close()
		return fmt.Errorf("start host: %w", err)
	}
	readyW.Close()
	exited := make(chan Exit, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		e := exitFromState(cmd.Process.Pid, ws, err)
		e.Stderr = tail.Lines()
		h.mu.Lock()
		e.Expected = h.stop && h.cmd == cmd
		h.mu.Unlock()
		noteDeath(h.opts.Root, e) // deathnote.go
		exited <- e
	}()

	sock, err := waitReady(ctx, readyR, h.opts.ReadyTimeout)
	if err != nil {
		cmd.Process.Kill()
		<-done
		e := <-exited
		if errors.Is(err, errExitedEarly) {
			return &StartError{Exit: e}
		}
		return fmt.Errorf("host did not start: %v", err)
	}
	client, err := hostproto.Dial(sock)
	if err != nil {
		select {
		case <-done: // it died right after start: the app crashed at once
			e := <-exited
			return &StartError{Exit: e}
		case <-time.After(pingTimeout):
		}
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("host started but does not answer: %w", err)
	}
	h.mu.Lock()
	h.cmd, h.client, h.exited, h.done, h.stop = cmd, client, exited, done, false
	h.mu.Unlock()
	return nil
}

// StartError says that the host process ended while starting.
type StartError struct{ Exit Exit }

func (e *StartError) Error() string { return "host did not start: " + e.Exit.String() }

// pingTimeout bounds the wait for a started host's first answer.
const pingTimeout = 5 * time.Second

var errExitedEarly = errors.New("it exited before it was ready")

// waitReady reads the host's ready line: {"socket": path} or {"error": msg}.
func waitReady(ctx context.Context, r io.Reader, timeout time.Duration) (string, error) {
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	type ready struct {
		Socket string `json:"socket"`
		Error  string `json:"error"`
		early  bool
	}
	got := make(chan ready, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadBytes('\n')
		var rd ready
		if err != nil && len(line) == 0 {
			got <- ready{early: true}
			return
		} else if json.Unmarshal(line, &rd) != nil {
			rd.Error = "bad ready line: " + strings.TrimSpace(string(line))
		}
		got <- rd
	}()
	select {
	case rd := <-got:
		if rd.early {
			return "", errExitedEarly
		}
		if rd.Error != "" {
			return "", errors.New(rd.Error)
		}
		return rd.Socket, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("no answer within %v", timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
