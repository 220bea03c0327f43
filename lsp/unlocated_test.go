package lsp

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tliron/commonlog"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/session"
)

func TestUnlocatedStaleGoesOnThePackageFile(t *testing.T) {
	dir := t.TempDir()
	pkgDir := filepath.Join(dir, "shop")
	require.NoError(t, os.MkdirAll(pkgDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(pkgDir, "__init__.py"), []byte("\"\"\"Shop 🎉.\"\"\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "solo.py"), nil, 0o644))
	s := &Server{docs: newDocStore(), log: commonlog.GetLogger("test")}
	sess := session.New(context.Background(), session.Config{Root: dir})
	t.Cleanup(sess.Stop)
	home := reload.Canonical(filepath.Join(pkgDir, "__init__.py"))
	assert.Equal(t, home, sess.HomeFile("shop"))
	assert.Equal(t, reload.Canonical(filepath.Join(dir, "solo.py")), sess.HomeFile("solo"))
	assert.Equal(t, "", sess.HomeFile("nothing"))

	d := newDiagSet(s)
	d.home = sess.HomeFile
	views := filepath.Join(dir, "views.py")
	rep := reload.Report{Action: "reload", Package: "shop", OK: true, Stale: []reload.Stale{
		{Code: reload.CodeStaleImport, Message: "`greet` in app/registry.py still refers to the old `shop.core.hello`; not located in the source",
			Holder: "app.registry", Name: "greet", Target: "shop.core.hello", Fixes: []string{"rebind", "patch"},
			Data: reload.FindingData{Code: reload.CodeStaleImport, Holder: "app.registry", Name: "greet", Target: "shop.core.hello"}},
		{Code: reload.CodeStaleModule, Message: "line 0", File: views, Line: 0, Holder: "app.views",
			Data: reload.FindingData{Holder: "app.views"}},
	}}
	files := d.fromReport("shop", rep, views)
	require.Len(t, files, 1, "both unlocated findings go on shop/__init__.py")
	got := files[home]
	require.Len(t, got, 2)
	x := got[0]
	assert.Equal(t, "(location unknown) held by `app.registry`: `greet` in app/registry.py still refers to the old `shop.core.hello`; not located in the source", x.Message)
	assert.Equal(t, protocol.Range{End: protocol.Position{Character: 1}}, x.Range)
	assert.Equal(t, protocol.DiagnosticSeverityWarning, *x.Severity)
	assert.Equal(t, reload.CodeStaleImport, x.Code.Value)
	data := x.Data.(reload.FindingData)
	assert.Equal(t, "shop", data.Package)
	assert.Equal(t, "greet", data.Name)
	assert.Equal(t, "app.registry", data.Holder)
	assert.Equal(t, []string{"rebind", "patch"}, data.Fixes)
	assert.Equal(t, reload.CodeStaleModule, got[1].Data.(reload.FindingData).Code, "an older engine's data gets the code")
	assert.Len(t, quickFixes("file:///x", []byte("{}"), data), 2, "quick fixes still offered")
	assert.Equal(t, "(location unknown) held by `app.views`: line 0", got[1].Message)

	// A failed reload without a location still goes on the saved file.
	rep = reload.Report{Package: "shop", Error: &reload.Failure{Type: "ImportError", Message: "boom"}}
	files = d.fromReport("shop", rep, views)
	require.Len(t, files[views], 1)
	assert.Contains(t, files[views][0].Message, "ImportError: boom")
	// With no saved file (a fix), on the package's file.
	files = d.fromReport("shop", rep, "")
	require.Len(t, files[home], 1)
}
