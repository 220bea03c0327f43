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
