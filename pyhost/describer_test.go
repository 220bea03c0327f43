package pyhost_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/pyhost"
)

const describers = `
def fails_with(kind, text):
    raise kind(text)

class Mine(Exception):
    pass

class Scripted(Exception):
    pass
Scripted.__module__ = "__main__"

def mine(t, v, tb):
    return ("described." + t.__qualname__, "said: " + str(v), "", "here.py", 7, 3)

def raising(t, v, tb):
    raise RuntimeError("the describer broke")

def misshapen(t, v, tb):
    return "not a tuple"

def raise_mine():
    raise Mine("mine")

def raise_scripted():
    raise Scripted("scripted")
`

func pyErr(t *testing.T, interp *pyhost.Runtime, fn string) *pyhost.PyError {
	t.Helper()
	_, err := interp.Call(context.Background(), fn)
	var pe *pyhost.PyError
	require.ErrorAs(t, err, &pe)
	return pe
}

// TestSetDescriberReplacesTheRuleWithFallback: the host's describer (the
// engine's rule, in hostserver) describes every exception once set; when it
// raises or answers something else, pyhost's own rule does, as it does
// again after SetDescriber("").
func TestSetDescriberReplacesTheRuleWithFallback(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, describers, "describers.py"))
	t.Cleanup(func() { interp.SetDescriber(ctx, "") })

	own := pyErr(t, interp, "raise_mine")
	assert.Equal(t, "__pyreload_host__.Mine", own.Type, "pyhost's own rule: module.Qualname, as Python's traceback")
	assert.Equal(t, "describers.py", own.File)
	assert.Equal(t, "Scripted", pyErr(t, interp, "raise_scripted").Type, "a class of __main__ is named bare")

	require.NoError(t, interp.SetDescriber(ctx, "mine"))
	got := pyErr(t, interp, "raise_mine")
	assert.Equal(t, pyhost.PyError{Type: "described.Mine", Message: "said: mine", File: "here.py", Line: 7, Column: 3}, *got)

	for _, fn := range []string{"raising", "misshapen"} {
		require.NoError(t, interp.SetDescriber(ctx, fn))
		got := pyErr(t, interp, "raise_mine")
		assert.Equal(t, "__pyreload_host__.Mine", got.Type, "%s: pyhost's own rule takes over", fn)
		assert.Equal(t, "mine", got.Message, fn)
		assert.Equal(t, "describers.py", got.File, fn)
	}

	assert.Error(t, interp.SetDescriber(ctx, "no_such_describer"))
	require.NoError(t, interp.SetDescriber(ctx, ""))
	assert.Equal(t, "__pyreload_host__.Mine", pyErr(t, interp, "raise_mine").Type)
}
