package lsptest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// Timeout bounds every wait of a scenario.
var Timeout = 60 * time.Second

// Scenario is a parsed testdata/lsp/*.txtar file (format: testdata/lsp/README.md).
type Scenario struct {
	Files    map[string]string // the workspace
	Sections map[string]string // lsp/<name>
	Script   []string
}

// Parse reads a scenario file.
func Parse(path string) (*Scenario, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	sc := &Scenario{Files: map[string]string{}, Sections: map[string]string{}}
	for _, f := range ar.Files {
		if rest, ok := strings.CutPrefix(f.Name, "lsp/"); ok {
			sc.Sections[rest] = string(f.Data)
			continue
		}
		sc.Files[f.Name] = string(f.Data)
	}
	for _, line := range strings.Split(sc.Sections["script"], "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			sc.Script = append(sc.Script, line)
		}
	}
	return sc, nil
}

// Workspace writes the scenario's files into a fresh directory (symlinks
// resolved, as the engine reports paths) and returns it.
func (sc *Scenario) Workspace(t testing.TB) string {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for rel, text := range sc.Files {
		writeFile(t, filepath.Join(root, rel), text)
	}
	return root
}

func writeFile(t testing.TB, path, text string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// RunScenario runs a scenario file against the real server binary, with
// the editor options given (Binary is set from binary).
func RunScenario(t *testing.T, path, binary string, opts Options) {
	sc, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // this test's own interpreters only
	root := sc.Workspace(t)
	opts.Binary = binary
	e := Start(t, root, opts)
	e.AwaitReady(1)
	for _, line := range sc.Script {
		e.step(sc, line)
		if t.Failed() {
			t.Fatalf("step %q failed; state:\n%s", line, Describe(e.Snapshot()))
		}
	}
	if code := e.Shutdown(); code != 0 {
		t.Errorf("exit code %d after shutdown", code)
	}
}

func (e *Editor) step(sc *Scenario, line string) {
	t := e.t
	t.Helper()
	f := strings.Fields(line)
	arg := func(n int) string {
		if n < len(f) {
			return f[n]
		}
		t.Fatalf("step %q: missing argument %d", line, n)
		return ""
	}
	section := func(name string) string {
		text, ok := sc.Sections[name]
		if !ok {
			t.Fatalf("step %q: no section lsp/%s", line, name)
		}
		return text
	}
	switch f[0] {
	case "open":
		e.Open(arg(1))
	case "edit":
		e.Edit(arg(1), section(arg(2)))
	case "save":
		name := "edit/" + arg(1)
		if len(f) > 2 {
			name = f[2]
		}
		e.Save(arg(1), section(name))
	case "want":
		want := nonEmptyLines(section(arg(1)))
		sort.Strings(want)
		e.Await("diagnostics of "+arg(1), Timeout, func(st State) bool { return slices.Equal(st.Lines(), want) })
	case "fix":
		e.applyFix(arg(1), len(f) > 2 && f[2] == "bare")
	case "reports":
		n, _ := strconv.Atoi(arg(1))
		st := e.Await(line, Timeout, func(st State) bool { return len(st.Reports) >= n })
		if len(st.Reports) != n {
			t.Errorf("want %d reports, got %d", n, len(st.Reports))
		}
	case "quiet":
		ms, _ := strconv.Atoi(arg(1))
		before := len(e.Snapshot().Reports)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		if after := len(e.Snapshot().Reports); after != before {
			t.Errorf("want no reload in %d ms, got %d", ms, after-before)
		}
	case "message":
		re := regexp.MustCompile(strings.TrimSpace(strings.TrimPrefix(line, "message")))
		e.Await("message "+re.String(), Timeout, func(st State) bool {
			for _, m := range st.Messages {
				if re.MatchString(m.Message) {
					return true
				}
			}
			return false
		})
	case "call":
		got := e.callHost(arg(1))
		if want := strings.TrimSpace(strings.Join(f[2:], " ")); string(got) != want {
			t.Errorf("call %s = %s, want %s", arg(1), got, want)
		}
	case "ready":
		n, _ := strconv.Atoi(arg(1))
		e.AwaitReady(n)
	case "crash":
		e.callHost(arg(1)) // the host dies answering; the error is expected
	default:
		t.Fatalf("unknown step %q", line)
	}
}

// applyFix runs, for every current diagnostic, the quick fix whose command
// is the given one ("all": the file's source.fixAll action). bare sends the
// diagnostics back as ALE does: range, code and message only.
func (e *Editor) applyFix(kind string, bare bool) {
	t := e.t
	cmd := map[string]string{"rebind": "pyreload.rebind", "patch": "pyreload.patchInPlace",
		"dependents": "pyreload.reloadDependents", "all": "pyreload.fixAll"}[kind]
	st := e.Snapshot()
	for file, ds := range st.Diagnostics {
		var actions []CodeAction
		var err error
		if bare {
			ds = bareDiagnostics(ds)
		}
		if kind == "all" {
			actions, err = e.CodeActions(file, ds, "source.fixAll")
		} else {
			actions, err = e.CodeActions(file, ds[:1], "quickfix")
		}
		if err != nil {
			t.Fatalf("codeAction %s: %v", file, err)
		}
		for _, a := range actions {
			if strings.Contains(a.Title, "%!") || strings.Contains(a.Title, "``") {
				t.Errorf("malformed action title %q", a.Title)
			}
			if a.Command != nil && a.Command.Command == cmd {
				var res map[string]any
				if err := e.Run(a, &res); err != nil {
					t.Fatalf("%s: %v", a.Title, err)
				}
				return // the fix republishes; the script waits for the state it wants
			}
		}
	}
	t.Fatalf("no %s action on any diagnostic", cmd)
}

// HostStatus is the status of the root's first interpreter.
func (e *Editor) HostStatus() reload.Status {
	var st reload.Status
	e.withHost(func(c *hostproto.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Call(ctx, "status", nil, &st); err != nil {
			e.t.Errorf("status: %v", err)
		}
	})
	return st
}

// callHost calls module:function in the root's embedded host, through the
// host protocol, and returns the JSON of its value.
func (e *Editor) callHost(target string) (out json.RawMessage) {
	e.withHost(func(c *hostproto.Client) {
		var res struct {
			Value json.RawMessage `json:"value"`
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := c.Call(ctx, "call", map[string]any{"target": target, "args": []any{}}, &res); err != nil {
			out = json.RawMessage(`"error: ` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"`)
			return
		}
		out = res.Value
	})
	return out
}

// withHost runs f with a connection to the root's first interpreter.
func (e *Editor) withHost(f func(c *hostproto.Client)) {
	var clients []*hostproto.Client
	var err error
	for deadline := time.Now().Add(Timeout); ; time.Sleep(50 * time.Millisecond) {
		if clients, err = hostproto.Discover(e.Root); err == nil && len(clients) > 0 {
			break
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no host for %s: %v", e.Root, err)
		}
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	f(clients[0])
}

func nonEmptyLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// bareDiagnostics are ds without source and data, as ALE sends them back.
func bareDiagnostics(ds []Diagnostic) []Diagnostic {
	out := make([]Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = Diagnostic{Range: d.Range, Code: d.Code, Message: d.Message}
	}
	return out
}
