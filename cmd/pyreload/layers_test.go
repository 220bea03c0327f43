package main_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

const module = "github.com/pyreload/pyreload/"

// forbidden lists, per package prefix, the packages it must not import:
// imports go cmd → lsp → reload, and only pyhost touches cgo.
var forbidden = map[string][]string{
	"reload": {"lsp", "cmd", "pyhost"},
	"lsp":    {"cmd", "pyhost"},
	"pyhost": {"lsp", "cmd", "reload/supervise", "reload/agent"},
}

// TestImportDirection fails when a package imports against the layering.
func TestImportDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	cmd.Dir = testbinary.RepoRoot()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		for layer, bans := range forbidden {
			if pkg != layer && !strings.HasPrefix(pkg, layer+"/") {
				continue
			}
			checked++
			for _, imp := range fields[1:] {
				if !strings.HasPrefix(imp, module) {
					continue
				}
				dep := strings.TrimPrefix(imp, module)
				for _, ban := range bans {
					assert.False(t, dep == ban || strings.HasPrefix(dep, ban+"/"),
						"%s imports %s: imports go cmd → lsp → reload, and cgo stays in pyhost", pkg, dep)
				}
			}
		}
	}
	assert.Greater(t, checked, 3)
}

// TestOnlyPyhostUsesCgo fails when a package outside pyhost imports "C" or cpy3.
func TestOnlyPyhostUsesCgo(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .CgoFiles " "}}`, "./...")
	cmd.Dir = testbinary.RepoRoot()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if pkg == "pyhost" {
			continue
		}
		for _, f := range fields[1:] {
			assert.NotEqual(t, "github.com/go-python/cpy3", f, "%s imports cpy3", pkg)
			assert.False(t, strings.HasSuffix(f, ".go") && !strings.HasPrefix(pkg, "pyhost"), "%s has cgo file %s", pkg, f)
		}
	}
}
