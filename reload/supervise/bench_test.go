package supervise_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/supervise"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// BenchmarkProtocolRoundTrip is one host-protocol request and answer over
// the unix socket to a real host (target p50 ≤ 200 µs).
func BenchmarkProtocolRoundTrip(b *testing.B) {
	b.Setenv("XDG_RUNTIME_DIR", b.TempDir())
	h, err := supervise.Start(context.Background(), supervise.Options{HostOptions: hostproto.HostOptions{Root: b.TempDir()}, Exe: testbinary.Path(b)})
	require.NoError(b, err)
	defer h.Stop()
	in := h.Interpreter()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		t0 := time.Now()
		if err := in.Call(ctx, "ping", nil, nil); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkHostStart is starting a host process until its first answer
// (target ≤ 50 ms).
func BenchmarkHostStart(b *testing.B) {
	b.Setenv("XDG_RUNTIME_DIR", b.TempDir())
	root, exe := b.TempDir(), testbinary.Path(b)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		h, err := supervise.Start(context.Background(), supervise.Options{HostOptions: hostproto.HostOptions{Root: root}, Exe: exe})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		h.Stop()
		b.StartTimer()
	}
}
