package lsp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps cmd → lsp → reload: the language server never
// imports cmd or the cgo host (pyhost).
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/pyreload/pyreload/lsp/...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/pyreload/pyreload/pyhost") || strings.HasPrefix(pkg, "github.com/pyreload/pyreload/cmd") {
			t.Errorf("lsp depends on %s", pkg)
		}
	}
}
