package main_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// The click adapter on a CLI in the style of click's "complex" example
// (testdata/frameworks/click) under `pyreload run serve.py`: a long-running
// driver invokes the CLI in-process for every HTTP request while `pyreload
// reload` applies edits.
func TestClickCLIUnderRun(t *testing.T) {
	needModules(t, "python3-click", "click")
	root := fwCopy(t, "click")
	_, out := startRun(t, root, "serve.py")
	port := fwServing(t, fwPortFile(root), "/run?arg=status", out)
	reload := fwReloader(t, root, "complex")
	expect := func(path, want string) {
		t.Helper()
		code, body := fwRequest(t, port, "GET", path, "")
		assert.Equal(t, 200, code, "GET %s: %s", path, body)
		assert.Equal(t, want, body, "GET %s", path)
	}
	expect("/run?arg=-v&arg=status", "status v1\n[verbose] bla bla bla\n")

	fwEdit(t, root, "complex/commands/cmd_status.py", `"status v1"`, `"status v2"`)
	reload("command body", 0)
	expect("/run?arg=-v&arg=status", "status v2\n[verbose] bla bla bla\n")

	fwEdit(t, root, "complex/cli.py", "class Environment:\n", "class Environment:\n    LABEL = \"env v2\"\n")
	reload("context class data", 0)
	expect("/run?arg=-v&arg=status", "status v2\n[verbose] bla bla bla\n")

	fwEdit(t, root, "complex/cli.py", "class Environment:", "class Environment(dict):")
	// The old class's instances made by earlier invocations may still wait
	// for the garbage collector (click's contexts are cycles): if counted,
	// they are the one finding.
	res := testbinary.Run(t, root, nil, "reload", "--root", root, "complex")
	if res.Code != 0 {
		require.Equal(t, 1, res.Code, "context class made anew: %s%s", res.Stdout, res.Stderr)
		assert.Contains(t, res.Stdout, "of the old `complex.cli.Environment` keep")
		assert.Contains(t, res.Stdout, "— 1 stale reference")
	}
	expect("/run?arg=-v&arg=status", "status v2\n[verbose] bla bla bla\n")
	expect("/run?arg=status", "status v2\n")

	fwEdit(t, root, "complex/commands/cmd_status.py", "@pass_environment\ndef cli(ctx):",
		"@click.option(\"--shout\", is_flag=True)\n@pass_environment\ndef cli(ctx, shout):\n    ctx.vlog(\"shout %s\" % shout)")
	reload("new option", 0)
	expect("/run?arg=-v&arg=status&arg=--shout", "[verbose] shout True\nstatus v2\n[verbose] bla bla bla\n")

	fwEdit(t, root, "complex/cli.py", "", "\n\n@tools.command()\ndef hello():\n    click.echo(\"hello v1\")\n")
	reload("new command", 0)
	expect("/tools?arg=hello", "hello v1\n")
	expect("/tools?arg=version", "version v1\n")

	fwEdit(t, root, "complex/commands/cmd_status.py", `"status v2"`, `"status v3" +`)
	res = reload("syntax error", 2)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("/run?arg=-v&arg=status", "[verbose] shout False\nstatus v2\n[verbose] bla bla bla\n")
}
