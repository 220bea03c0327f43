package lsptest_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
)

// residentMB is a process's resident memory in MB.
func residentMB(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestBigMessageMemoryIsGivenBack: one 50 MB message (an editor opening a
// huge generated file) left the server at 267 MB for good; once the file is
// closed, the memory goes back to the system.
func TestBigMessageMemoryIsGivenBack(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	writeTree(t, root, map[string]string{
		"shop/__init__.py": "",
		"shop/big.py":      "X = '" + strings.Repeat("x", 50<<20) + "'\n",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.AwaitReady(1)
	before := residentMB(t, e.Pid())
	e.Open("shop/big.py")
	_, err = e.CodeActions("shop/big.py", nil) // the open is handled
	require.NoError(t, err)
	peak := residentMB(t, e.Pid())
	require.NoError(t, e.Conn.Notify("textDocument/didClose", map[string]any{
		"textDocument": map[string]any{"uri": lsptest.URI(e.Path("shop/big.py"))}}))
	_, err = e.CodeActions("shop/__init__.py", nil)
	require.NoError(t, err)
	deadline := time.Now().Add(20 * time.Second)
	now := residentMB(t, e.Pid())
	for now > before+40 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		now = residentMB(t, e.Pid())
	}
	t.Logf("resident memory: %d MB before, %d MB with the file open, %d MB after closing it", before, peak, now)
	require.LessOrEqual(t, now, before+40, "the memory of a closed 50 MB document is kept")
}
