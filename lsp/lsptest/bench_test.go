package lsptest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyreload/pyreload/lsp/lsptest"
)

func benchWorkspace(b *testing.B, files map[string]string) string {
	b.Setenv("XDG_RUNTIME_DIR", b.TempDir())
	root, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for rel, text := range files {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

var staleFiles = map[string]string{
	"pyproject.toml":   "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 0\n",
	"shop/__init__.py": "",
	"shop/core.py":     "def hello():\n    return 0\n",
	"app/__init__.py":  "",
	"app/views.py":     "from shop.core import hello\n",
	"main.py":          "import app.views\n",
}

// BenchmarkSaveToDiagnostics measures what the server adds to the engine's
// own reload time between didSave and publishDiagnostics (debounce 0):
// overhead-ms is wall time minus the report's duration_ms.
func BenchmarkSaveToDiagnostics(b *testing.B) {
	e := lsptest.Start(b, benchWorkspace(b, staleFiles), lsptest.Options{Binary: serverBinary(b), NoProgress: true})
	e.AwaitReady(1)
	var overhead, total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := len(e.Snapshot().Reports)
		start := time.Now()
		e.Save("shop/core.py", fmt.Sprintf("def hello():\n    return %d\n", i+1))
		st := e.Await("report", lsptest.Timeout, func(st lsptest.State) bool {
			return len(st.Reports) > n && len(st.Diagnostics["app/views.py"]) > 0
		})
		wall := float64(time.Since(start).Microseconds()) / 1000
		engine := st.Reports[len(st.Reports)-1]["duration_ms"].(float64)
		overhead += wall - engine
		total += wall
	}
	b.StopTimer()
	b.ReportMetric(overhead/float64(b.N), "overhead-ms")
	b.ReportMetric(total/float64(b.N), "save-to-diag-ms")
	e.Shutdown()
}

// BenchmarkCodeActionBusy measures code action latency while the
// interpreter is busy in user code (a thread spinning in Python) and a
// reload is running.
func BenchmarkCodeActionBusy(b *testing.B) {
	files := map[string]string{}
	for k, v := range staleFiles {
		files[k] = v
	}
	files["main.py"] = "import threading\nimport app.views\n\ndef spin():\n    while True:\n        sum(range(1000))\n\nthreading.Thread(target=spin, daemon=True).start()\n"
	files["pyproject.toml"] = "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 0\n"
	e := lsptest.Start(b, benchWorkspace(b, files), lsptest.Options{Binary: serverBinary(b), NoProgress: true})
	e.Await("ready", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Statuses) > 0 })
	e.Open("shop/core.py")
	e.Save("shop/core.py", "import time\ntime.sleep(30)\ndef hello():\n    return 1\n") // a long reload in flight
	var lat []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		actions, err := e.CodeActions("shop/core.py", nil)
		if err != nil || len(actions) == 0 {
			b.Fatalf("code actions: %v %v", actions, err)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	b.StopTimer()
	sort.Float64s(lat)
	b.ReportMetric(lat[len(lat)/2], "p50-ms")
	e.Kill()
}

// BenchmarkIdleRSS reports the server's resident memory (host excluded)
// once it is idle with a workspace attached.
func BenchmarkIdleRSS(b *testing.B) {
	var rss float64
	for i := 0; i < b.N; i++ {
		e := lsptest.Start(b, benchWorkspace(b, staleFiles), lsptest.Options{Binary: serverBinary(b)})
		e.AwaitReady(1)
		time.Sleep(500 * time.Millisecond)
		rss = rssMB(b, e.Pid())
		e.Shutdown()
	}
	b.ReportMetric(rss, "rss-MB")
}

func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
