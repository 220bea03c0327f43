package testbinary

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (relative path → content) under root, making
// directories as needed.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Workspace makes a fresh, symlink-resolved root holding files, and gives
// the test a socket directory of its own, so it sees only its interpreters.
func Workspace(t testing.TB, files map[string]string) string {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	WriteTree(t, root, files)
	return root
}
