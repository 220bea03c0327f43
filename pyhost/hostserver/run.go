package hostserver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// stopGrace is how long the app gets to unwind after Ctrl-C or shutdown.
const stopGrace = 3 * time.Second

// Run is the whole life of `pyreload host`; it returns the exit code.
func Run(opts Options) int {
	h, l, err := Start(opts)
	if err != nil {
		if opts.Ready != nil {
			ready(opts.Ready, map[string]string{"error": err.Error()})
		} else {
			fmt.Fprintf(os.Stderr, "pyreload host: %v\n", err)
		}
		return 1
	}
	srv := &hostproto.Server{Handler: h.Handle, Logf: h.opts.Logf}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, l)
	h.ImportStartup()
	ready(opts.Ready, map[string]string{"socket": l.Path})
	h.Boot()

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	var code int
wait:
	for {
		select {
		case code = <-h.exitCode:
			break wait
		case sig := <-sigs:
			if sig == syscall.SIGINT && h.opts.ExitWithEntry && h.entryRunning() {
				// As python3: KeyboardInterrupt in the app's main thread (or
				// its own SIGINT handler); the app decides, and the host
				// exits when the entry ends.
				h.interp.InterruptMain()
				continue
			}
			code = 128 + int(sig.(syscall.Signal))
			if sig == syscall.SIGINT {
				code = 130
			}
			break wait
		}
	}
	l.Close() // removes the socket: the root no longer lists this process
	h.stopEntry(stopGrace)
	exitCtx, done := context.WithTimeout(context.Background(), stopGrace)
	h.callJSON(exitCtx, nil, "at_exit")
	done()
	return code
}

func ready(f *os.File, msg map[string]string) {
	if f == nil {
		return
	}
	raw, _ := json.Marshal(msg)
	f.Write(append(raw, '\n'))
	f.Close()
}
