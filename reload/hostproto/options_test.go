package hostproto_test

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// hostOptionCases are options a parent may start a host with.
var hostOptionCases = map[string]hostproto.HostOptions{
	"zero":       {},
	"root only":  {Root: "/w"},
	"serve":      {Root: "/w", PythonPath: "/w/.venv/bin/python", Paths: []string{"/w/src", "/w"}, Imports: []string{"shop", "shop.api"}},
	"run":        {Root: "/w", Entry: "main.py", ExitWithEntry: true, Argv: []string{"a", "b"}},
	"paths kept": {Root: "/w", Paths: []string{"/z", "/a", "/m", "/a"}},
	"commas": {Root: "/w,x", Entry: "app:main", Paths: []string{"/p,q", "/r"}, Imports: []string{"a", "b.c"},
		Argv: []string{"x,y", ","}},
	"empty values": {Root: "", Paths: []string{"", "/p"}, Argv: []string{"", ""}},
	"dashes": {Root: "-r", Entry: "-e", Paths: []string{"--path", "-"}, PythonPath: "-py",
		Argv: []string{"--entry", "x", "-h", "--exit-with-entry"}},
	"spaces and equals": {Root: "/my root", Entry: "a=b.py", Paths: []string{"/x=y", " "}, Argv: []string{"k=v", " "}},
}

func TestHostOptionsRoundTrip(t *testing.T) {
	for name, want := range hostOptionCases {
		t.Run(name, func(t *testing.T) {
			got, err := parseHostArgs(want.Args())
			require.NoError(t, err, "%q", want.Args())
			assert.Equal(t, want, got, "%q", want.Args())
		})
	}
}

// TestHostOptionsBesideOwnFlags: the child parses the options beside its own
// flags, which the parent writes before them.
func TestHostOptionsBesideOwnFlags(t *testing.T) {
	want := hostOptionCases["run"]
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	readyFD := fs.Int(hostproto.ReadyFDFlag, -1, "")
	opts := hostproto.HostFlags(fs)
	require.NoError(t, fs.Parse(append([]string{"--" + hostproto.ReadyFDFlag + "=3"}, want.Args()...)))
	assert.Equal(t, 3, *readyFD)
	assert.Equal(t, want, opts())
}

// TestHostImportsNormalised: empty names are no package, and a hand-written
// command line may give --import more than once.
func TestHostImportsNormalised(t *testing.T) {
	args := hostproto.HostOptions{Root: "/w", Imports: []string{"", "a", ""}}.Args()
	assert.Equal(t, []string{"--root=/w", "--import=a"}, args)
	assert.Equal(t, []string{"--root=/w"}, hostproto.HostOptions{Root: "/w", Imports: []string{""}}.Args())
	got, err := parseHostArgs([]string{"--import", "a,,b", "--import=c", "--root", "/w"})
	require.NoError(t, err)
	assert.Equal(t, hostproto.HostOptions{Root: "/w", Imports: []string{"a", "b", "c"}}, got)
}

// TestHostRootDefault: a host started by hand without --root serves ".".
func TestHostRootDefault(t *testing.T) {
	got, err := parseHostArgs(nil)
	require.NoError(t, err)
	assert.Equal(t, hostproto.HostOptions{Root: "."}, got)
}

// TestAgentReadsHostOptionsAlike: a host whose project Python is another
// build execs the agent's hosted mode with the same arguments
// (cmd/pyreload/hostagent.go, without --python: the agent runs in that
// Python); pyreload_agent/hosted.py must read what Args wrote.
func TestAgentReadsHostOptionsAlike(t *testing.T) {
	for name, opts := range hostOptionCases {
		t.Run(name, func(t *testing.T) {
			opts.PythonPath = ""
			cmd := exec.Command("/usr/bin/python3", append([]string{"-c", `
import json, sys
from pyreload_agent import hosted
o = hosted.parse(sys.argv[1:])
print(json.dumps({"Root": o.root, "Entry": o.entry, "Argv": o.args or None,
    "Imports": [n for n in o.imports.split(",") if n] or None, "Paths": o.path or None,
    "ExitWithEntry": o.exit_with_entry, "ReadyFD": o.ready_fd}))
`, "--" + hostproto.ReadyFDFlag + "=3"}, opts.Args()...)...)
			cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(testbinary.RepoRoot(), "reload", "agent"))
			out, err := cmd.Output()
			require.NoError(t, err, "%q: %s", opts.Args(), out)
			var got struct {
				hostproto.HostOptions
				ReadyFD int
			}
			require.NoError(t, json.Unmarshal(out, &got), "%s", out)
			assert.Equal(t, opts, got.HostOptions, "%q", opts.Args())
			assert.Equal(t, 3, got.ReadyFD)
		})
	}
}

// parseHostArgs reads arguments written by Args, as `pyreload host` does.
func parseHostArgs(args []string) (hostproto.HostOptions, error) {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	opts := hostproto.HostFlags(fs)
	if err := fs.Parse(args); err != nil {
		return hostproto.HostOptions{}, err
	}
	return opts(), nil
}
