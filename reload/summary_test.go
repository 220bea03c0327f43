package reload_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pyreload/pyreload/reload"
)

func TestSummary(t *testing.T) {
	r := reload.Report{Action: "reload", Package: "shop", OK: true, Modules: make([]string, 14), DurationMS: 37.6,
		Stale: make([]reload.Stale, 3)}
	assert.Equal(t, "reloaded shop (14 modules) in 38 ms — 3 stale references", reload.Summary(r))
	r.Stale = r.Stale[:1]
	assert.Equal(t, "reloaded shop (14 modules) in 38 ms — 1 stale reference", reload.Summary(r))
	r.Modules = r.Modules[:1]
	r.Errors = make([]reload.ProcessError, 2)
	assert.Equal(t, "reloaded shop (1 module) in 38 ms — 1 stale reference (2 interpreters did not answer)", reload.Summary(r))
	fix := reload.Report{Action: "fix", Package: "shop", OK: true, DurationMS: 3}
	assert.Equal(t, "fixed shop in 3 ms — no stale references", reload.Summary(fix))
	bad := reload.Report{Action: "reload", Package: "shop", RolledBack: true,
		Error: &reload.Failure{Type: "SyntaxError", Message: "invalid syntax", File: "/w/shop/b.py", Line: 7}}
	assert.Equal(t, "reload of shop failed at shop/b.py:7 and was rolled back: SyntaxError: invalid syntax", reload.Summary(bad))
}

func TestMergeNamesDisagreeingProcesses(t *testing.T) {
	a, b := reload.Process{PID: 1, Kind: "agent"}, reload.Process{PID: 2, Kind: "agent"}
	shared := reload.Stale{Code: reload.CodeStaleImport, File: "/w/app.py", Line: 3, Name: "hello", Target: "shop.core.hello"}
	inst := reload.Stale{Code: reload.CodeStaleInstance, File: "/w/shop/models.py", Line: 1, Name: "Cart", Target: "shop.models.Cart", Count: 2}
	only := reload.Stale{Code: reload.CodeStaleThread, File: "/w/shop/worker.py", Line: 9, Name: "run"}
	reports := []reload.Report{
		{Action: "reload", Package: "shop", OK: true, Modules: []string{"shop"}, Stale: []reload.Stale{shared, inst, only}},
		{Action: "reload", Package: "shop", OK: true, Modules: []string{"shop"}, Stale: []reload.Stale{shared, inst}},
	}
	m, err := reload.Merge(reports, []error{nil, nil}, []reload.Process{a, b})
	assert.NoError(t, err)
	assert.True(t, m.OK)
	assert.Len(t, m.Stale, 3)
	for _, s := range m.Stale {
		switch s.Code {
		case reload.CodeStaleThread:
			assert.Equal(t, []reload.Process{a}, s.Processes)
		case reload.CodeStaleInstance:
			assert.Equal(t, 4, s.Count)
			assert.Empty(t, s.Processes)
		default:
			assert.Empty(t, s.Processes)
		}
	}
	m, err = reload.Merge(reports, []error{nil, assert.AnError}, []reload.Process{a, b})
	assert.NoError(t, err)
	assert.Len(t, m.Errors, 1)
	assert.Equal(t, 2, m.Errors[0].Process.PID)
	_, err = reload.Merge(reports, []error{assert.AnError, assert.AnError}, []reload.Process{a, b})
	assert.Error(t, err)

	// One process rolled back while the other applied the reload: say which.
	bad := reload.Report{Action: "reload", Package: "shop", RolledBack: true,
		Error: &reload.Failure{Type: "ImportError", Message: "no module named x"}}
	m, err = reload.Merge([]reload.Report{reports[0], bad}, []error{nil, nil}, []reload.Process{a, b})
	assert.NoError(t, err)
	assert.False(t, m.OK)
	assert.Equal(t, []reload.ProcessError{{Process: b, Message: "ImportError: no module named x"}}, m.RolledBackIn)
	assert.Equal(t, "reload of shop failed and was rolled back in pid 2 (ImportError: no module named x); the other interpreters applied it", reload.Summary(m))
}

func TestResolvePackage(t *testing.T) {
	root := t.TempDir()
	for file, want := range map[string]string{
		root + "/shop/core.py":     "shop",
		root + "/shop/sub/deep.py": "shop",
		root + "/app.py":           "app",
		root + "/ns_pkg/mod.py":    "ns_pkg",
	} {
		got, ok := reload.ResolvePackage(root, file)
		assert.True(t, ok, file)
		assert.Equal(t, want, got, file)
	}
	for _, file := range []string{"/elsewhere/x.py", root + "/shop/data.txt", root + "/.venv/x.py"} {
		_, ok := reload.ResolvePackage(root, file)
		assert.False(t, ok, file)
	}
	assert.Equal(t, "shop.core", reload.ModuleName(root, root+"/shop/core.py"))
	assert.Equal(t, "shop", reload.ModuleName(root, root+"/shop/__init__.py"))
	assert.True(t, reload.InPackage("shop", "shop.core"))
	assert.False(t, reload.InPackage("shop", "shopping"))
}
