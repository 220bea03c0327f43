package reload_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
)

// The benchmarks of issue 10: what an in-place reload costs, against a
// fresh process importing the package and the whole-package reload.

// editFunction edits one function body of the package's last module (a
// leaf) in the host's workspace.
func (h *benchHost) editFunction() {
	h.gen++
	h.call("benchtool:edit_function", h.gen, -1)
}

// freshImport is a new python3 importing the package: the floor of a restart.
func (h *benchHost) freshImport() time.Duration {
	cmd := exec.Command(benchPython, "-c", "import "+benchPackage)
	cmd.Dir = h.root
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(t0)
	require.NoError(h.b, err, "%s", out)
	return d
}

func (h *benchHost) reloadInPlace(all bool) (time.Duration, reload.Report) {
	return h.timed("reload", reload.ReloadParams{Package: benchPackage, All: all, TimeoutMS: 600000})
}

// inPlaceEdit measures a one-function edit reloaded in place, report (with
// its scan) included, and a fresh import of the package.
func inPlaceEdit(b *testing.B, h *benchHost, key string) {
	var fresh time.Duration
	b.Run("edit", func(b *testing.B) {
		d := mean(b, h.editFunction, func() time.Duration {
			d, rep := h.reloadInPlace(false)
			require.Equal(b, 1, len(rep.Modules), "one module runs: %v", rep.Modules)
			require.Empty(b, rep.Stale)
			return d
		})
		b.ReportMetric(ms(d), "ms/reload")
		benchFigures[key+"-ms"] = ms(d)
	})
	b.Run("fresh-import", func(b *testing.B) {
		fresh = mean(b, nil, h.freshImport)
		b.ReportMetric(ms(fresh), "ms/fresh-import")
		benchFigures[key+"-fresh-ms"] = ms(fresh)
	})
}

// BenchmarkInPlace: a one-function edit of a leaf module reloaded in place,
// on 200 modules and 1M objects (target ≤ 50 ms, scan included) and on
// 2,000 modules and 5M objects (target ≤ 0.1× a fresh process importing the
// package); the whole package in place (--all, target ≤ 1.0× a fresh
// import); and 500 reloads of an edit leaving the heap as it was.
func BenchmarkInPlace(b *testing.B) {
	small := startBenchHost(b, 200, 1000000, 100000)
	b.Run("modules=200/objects=1M", func(b *testing.B) { inPlaceEdit(b, small, "inplace-small") })
	b.Run("memory/500-reloads", func(b *testing.B) {
		var before, after int
		require.NoError(b, json.Unmarshal(small.call("benchtool:collected_objects"), &before))
		for n := 0; n < 500; n++ {
			small.editFunction()
			_, rep := small.reloadInPlace(false)
			require.True(b, rep.OK)
		}
		require.NoError(b, json.Unmarshal(small.call("benchtool:collected_objects"), &after))
		b.ReportMetric(float64(after-before), "objects-growth")
		benchFigures["inplace-growth"] = float64(after - before)
	})
	small.host.Stop()

	large := startBenchHost(b, 2000, 5000000, 500000)
	b.Run("modules=2000/objects=5M", func(b *testing.B) { inPlaceEdit(b, large, "inplace-large") })
	b.Run("all/modules=2000/objects=5M", func(b *testing.B) {
		d := mean(b, large.editFunction, func() time.Duration {
			d, rep := large.reloadInPlace(true)
			require.Equal(b, 2001, len(rep.Modules))
			return d
		})
		b.ReportMetric(ms(d), "ms/reload")
		benchFigures["inplace-all-ms"] = ms(d)
	})
	printInPlaceTable()
}

// printInPlaceTable prints the in-place figures as the README's table.
func printInPlaceTable() {
	f := benchFigures
	ratio := func(a, b string) string {
		if f[a] == 0 || f[b] == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f×", f[a]/f[b])
	}
	var sb strings.Builder
	sb.WriteString("\n| in place | measured | fresh import of the package | ratio | target |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&sb, "| one-function edit, 200 modules, 1M objects (report and scan included) | %.1f ms | %.0f ms | %s | ≤ 50 ms |\n",
		f["inplace-small-ms"], f["inplace-small-fresh-ms"], ratio("inplace-small-ms", "inplace-small-fresh-ms"))
	fmt.Fprintf(&sb, "| one-function edit, 2,000 modules, 5M objects | %.1f ms | %.0f ms | %s | ≤ 0.1× |\n",
		f["inplace-large-ms"], f["inplace-large-fresh-ms"], ratio("inplace-large-ms", "inplace-large-fresh-ms"))
	fmt.Fprintf(&sb, "| `--all`, 2,000 modules, 5M objects | %.0f ms | %.0f ms | %s | ≤ 1.0× |\n",
		f["inplace-all-ms"], f["inplace-large-fresh-ms"], ratio("inplace-all-ms", "inplace-large-fresh-ms"))
	fmt.Fprintf(&sb, "| 500 reloads of an edit: GC-tracked objects after ÷ before | %+.0f objects | | | no growth |\n",
		f["inplace-growth"])
	fmt.Fprint(os.Stdout, sb.String())
}
