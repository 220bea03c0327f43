package agent_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
)

// BenchmarkFanOut reloads one package through reload.Fleet in 1 agent and
// in 8 agents (real python3 processes) and reports the 8/1 time ratio.
// The goal is ≤ 1.2; on a machine with fewer cores than agents the
// reloads compete for CPU and the ratio grows accordingly.
func BenchmarkFanOut(b *testing.B) {
	runtimeDir(b)
	root := workspace(b)
	for range 8 {
		startHolder(b, root, false)
	}
	all := discover(b, root, 8)
	one, eight := reload.NewFleet(all[0]), reload.NewFleet(all...)
	ctx := context.Background()
	run := func(f *reload.Fleet) time.Duration {
		start := time.Now()
		rep, err := f.Reload(ctx, reload.ReloadParams{Package: "shop"})
		require.NoError(b, err)
		require.True(b, rep.OK)
		require.Empty(b, rep.Errors)
		return time.Since(start)
	}
	run(one)
	run(eight) // warm up
	var t1, t8 time.Duration
	b.ResetTimer()
	for range b.N {
		t1 += run(one)
		t8 += run(eight)
	}
	b.ReportMetric(float64(t1.Microseconds())/float64(b.N)/1000, "ms/reload-1")
	b.ReportMetric(float64(t8.Microseconds())/float64(b.N)/1000, "ms/reload-8")
	b.ReportMetric(float64(t8)/float64(t1), "ratio-8/1")
	// With fewer cores than agents the eight reloads cannot all run at once:
	// the best possible wall time is one reload per agent shared over the
	// cores. The fan-out's own overhead is the ratio to that bound (on a
	// machine with 8 or more cores it equals ratio-8/1).
	cores := min(runtime.NumCPU(), 8)
	b.ReportMetric(float64(t8)/(float64(t1)*8/float64(cores)), "ratio-8/cpu-bound")
}
