package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// nameInterpreters says, after a human report, which Python each
// interpreter the reload reached runs, and how it is hosted: "host" is
// pyreload's embedded CPython, "agent" the project's own Python.
func nameInterpreters(w io.Writer, ins []reload.Interpreter) {
	for _, in := range ins {
		var st reload.Status
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := in.Call(ctx, "status", nil, &st)
		cancel()
		if err != nil || st.Python == "" {
			continue
		}
		fmt.Fprintf(w, "  pid %d: Python %s, %s (%s)\n", in.Process().PID, st.Python, st.Executable, in.Process().Kind)
	}
}
