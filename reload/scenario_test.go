package reload_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/supervise"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestScenarios runs every testdata/reload/*.txtar on the real embedded
// host: main.py is the entry, the edits are written keeping mtimes, the
// reload goes over the host protocol, and the findings must equal the
// scenario's want lines exactly (format of reload.FormatLine).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testbinary.RepoRoot(), "testdata", "reload", "*.txtar"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runScenario(t, file)
		})
	}
}

// update rewrites the scenarios' expected diagnostics with what the host
// reports (go test ./reload -run TestScenarios -update), as gopls's marker
// tests do; review the diff before committing it.
var update = flag.Bool("update", false, "rewrite the want sections of testdata/reload/*.txtar")

// rewriteSection replaces one section of the txtar file at path with lines.
func rewriteSection(t *testing.T, path, name string, lines []string) {
	ar, err := txtar.ParseFile(path)
	require.NoError(t, err)
	text := strings.Join(lines, "\n")
	if text != "" {
		text += "\n"
	}
	for n := range ar.Files {
		if ar.Files[n].Name == name {
			ar.Files[n].Data = []byte(text)
		}
	}
	require.NoError(t, os.WriteFile(path, txtar.Format(ar), 0o644))
}

type scenario struct {
	workspace map[string]string
	edits     map[string]string
	deletes   []string
	sections  map[string]string // pyreload/<name> sections
}

func parseScenario(t *testing.T, path string) scenario {
	ar, err := txtar.ParseFile(path)
	require.NoError(t, err)
	sc := scenario{workspace: map[string]string{}, edits: map[string]string{}, sections: map[string]string{}}
	for _, f := range ar.Files {
		switch name := f.Name; {
		case strings.HasPrefix(name, "pyreload/edit/"):
			sc.edits[strings.TrimPrefix(name, "pyreload/edit/")] = string(f.Data)
		case strings.HasPrefix(name, "pyreload/delete/"):
			sc.deletes = append(sc.deletes, strings.TrimPrefix(name, "pyreload/delete/"))
		case strings.HasPrefix(name, "pyreload/"):
			sc.sections[strings.TrimPrefix(name, "pyreload/")] = string(f.Data)
		default:
			sc.workspace[name] = string(f.Data)
		}
	}
	return sc
}

func runScenario(t *testing.T, path string) {
	sc := parseScenario(t, path)
	for _, mod := range strings.Fields(sc.sections["requires"]) {
		if err := exec.Command(benchPython, "-c", "import "+mod).Run(); err != nil {
			t.Skipf("the embedded host's Python cannot import %s (.ci/install-deps.sh installs it)", mod)
		}
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("PYTHONDONTWRITEBYTECODE", "") // bytecode is written, as by default
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	for rel, src := range sc.workspace {
		write(t, filepath.Join(root, rel), src)
	}
	host, err := supervise.Start(context.Background(), supervise.Options{
		HostOptions: hostproto.HostOptions{Root: root, Entry: filepath.Join(root, "main.py")}, Exe: testbinary.Path(t), Stderr: testWriter{t},
	})
	require.NoError(t, err)
	defer host.Stop()
	in := host.Interpreter()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	require.Eventually(t, func() bool {
		var st reload.Status
		require.NoError(t, in.Call(ctx, "status", nil, &st))
		require.NotEqual(t, "failed", st.EntryState, "main.py failed: %+v", st.EntryError)
		return st.EntryState == "finished"
	}, time.Minute, 10*time.Millisecond)

	for rel, src := range sc.edits {
		editKeepingMtime(t, filepath.Join(root, rel), src)
	}
	for _, rel := range sc.deletes {
		require.NoError(t, os.Remove(filepath.Join(root, rel)))
	}
	params, repeat := reloadParams(root, sc.sections["reload"])
	fleet := reload.NewFleet(in)
	var rep reload.Report
	for n := 0; n < repeat; n++ {
		rep, err = fleet.Reload(ctx, params)
		require.NoError(t, err)
		if _, wantOK := sc.sections["want"]; wantOK && repeat > 1 {
			require.True(t, rep.OK, "reload %d: %+v", n, rep.Error)
		}
	}
	if *update {
		rewriteSection(t, path, "pyreload/want", render(root, rep))
	} else {
		assert.Equal(t, wantLines(sc.sections["want"]), render(root, rep), "after reload")
	}

	if kind := strings.TrimSpace(sc.sections["fix"]); kind != "" {
		fixed, err := fleet.Fix(ctx, reload.FixParams{Kind: kind, Package: rep.Package})
		require.NoError(t, err)
		if *update {
			rewriteSection(t, path, "pyreload/want-after-fix", render(root, fixed))
		} else {
			assert.Equal(t, wantLines(sc.sections["want-after-fix"]), render(root, fixed), "after fix %s", kind)
		}
	}
	if src := sc.sections["check.py"]; strings.TrimSpace(src) != "" {
		name := "pyreload_check_" + strconv.Itoa(os.Getpid())
		write(t, filepath.Join(root, name+".py"), src)
		var out struct{ Value any }
		require.NoError(t, in.Call(ctx, "call", map[string]any{"target": name + ":check"}, &out), "check.py")
	}
}

func reloadParams(root, line string) (reload.ReloadParams, int) {
	fields := strings.Fields(line)
	var p reload.ReloadParams
	repeat := 1
	if strings.Contains(fields[0], "/") || strings.HasSuffix(fields[0], ".py") {
		p.File = filepath.Join(root, fields[0])
	} else {
		p.Package = fields[0]
	}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "repeat":
			repeat, _ = strconv.Atoi(v)
		case "mode":
			p.Mode = v
		case "dependents":
			p.Dependents = v == "true"
		case "all":
			p.All = v == "true"
		case "reset":
			p.Reset = strings.Split(v, ",")
		case "hooks":
			p.Hooks = strings.Split(v, ",")
		case "timeout_ms":
			p.TimeoutMS, _ = strconv.Atoi(v)
		}
	}
	return p, repeat
}

func render(root string, r reload.Report) []string {
	var lines []string
	for _, fd := range reload.ByFile(r) {
		for _, it := range fd.Items {
			lines = append(lines, reload.FormatLine(root, fd.File, it))
		}
	}
	sort.Strings(lines)
	return lines
}

func wantLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func write(t *testing.T, path, src string) {
	testbinary.WriteTree(t, filepath.Dir(path), map[string]string{filepath.Base(path): src})
}

// editKeepingMtime rewrites a file without changing its mtime: the
// same-second edit that stale bytecode checks would miss.
func editKeepingMtime(t *testing.T, path, src string) {
	st, err := os.Stat(path)
	write(t, path, src)
	if err == nil {
		require.NoError(t, os.Chtimes(path, st.ModTime(), st.ModTime()))
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("host: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
