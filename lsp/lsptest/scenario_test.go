package lsptest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestScenarios runs every testdata/lsp/*.txtar through the real
// `pyreload serve` and its embedded host.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testbinary.RepoRoot(), "testdata", "lsp", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	bin := serverBinary(t)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			lsptest.RunScenario(t, f, bin, lsptest.Options{})
		})
	}
}

// TestTransactionWithFullSync: the editor sends whole texts instead of
// ranges (editors without incremental sync); unsaved edits still hold a
// package's reload back.
func TestTransactionWithFullSync(t *testing.T) {
	f := filepath.Join(testbinary.RepoRoot(), "testdata", "lsp", "10-transaction.txtar")
	lsptest.RunScenario(t, f, serverBinary(t), lsptest.Options{FullSync: true})
}

// serverBinary is the pyreload binary under test: $PYRELOAD_BIN (e.g. a
// -race build) or a fresh build of the tree.
func serverBinary(t testing.TB) string { return testbinary.Path(t) }
