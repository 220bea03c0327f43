package pyhost_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

const benchSrc = "def nop():\n    return ''\n"

// BenchmarkCallWarmThread is one GIL acquisition and call on a thread that
// keeps its Python thread state (target ≤ 1 µs).
func BenchmarkCallWarmThread(b *testing.B) {
	interp := start(b)
	require.NoError(b, interp.Exec(context.Background(), benchSrc, "<bench>"))
	th := interp.LockThread()
	defer th.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := th.Call("nop"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallViaWorker is the same call handed to a worker thread, as
// calls with a deadline are.
func BenchmarkCallViaWorker(b *testing.B) {
	interp := start(b)
	ctx := context.Background()
	require.NoError(b, interp.Exec(ctx, benchSrc, "<bench>"))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := interp.Call(ctx, "nop"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallWithBusyUserThread is a call while a user thread spins on the
// CPU: the lowered switch interval bounds how long the call waits for the
// GIL (CPython's default 5 ms would make this ~5000 µs).
func BenchmarkCallWithBusyUserThread(b *testing.B) {
	interp := start(b)
	ctx := context.Background()
	src := benchSrc + "import threading\nspin_on = [True]\ndef spin():\n    while spin_on[0]:\n        pass\nthreading.Thread(target=spin, daemon=True).start()\ndef stop():\n    spin_on[0] = False\n    return ''\n"
	require.NoError(b, interp.Exec(ctx, src, "<bench>"))
	defer interp.Call(ctx, "stop")
	th := interp.LockThread()
	defer th.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := th.Call("nop"); err != nil {
			b.Fatal(err)
		}
	}
}
