package agent_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// agentPython runs a Python snippet with the agent's package importable and
// returns its stdout.
func agentPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", script}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(testbinary.RepoRoot(), "reload", "agent"))
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(string(out))
}

// TestAgentAndHostReadTimeoutsAlike: the host protocol's timeout_ms rule is
// written in Go (hostproto.RequestTimeout) and in the agent (rpc.timeout_ms);
// one table of inputs, both answers.
func TestAgentAndHostReadTimeoutsAlike(t *testing.T) {
	inputs := []string{"null", "0", "1", "0.5", "2.4", "30000", "86400000", "86400001", "1e13",
		"9300000000000000000", "1e400", "-1", "-0.5", `"soon"`, "true", "[]", "{}"}
	var params []string
	for _, in := range inputs {
		params = append(params, `{"timeout_ms":`+in+`}`)
	}
	encoded, err := json.Marshal(params)
	require.NoError(t, err)
	out := agentPython(t, `
import json, sys
from pyreload_agent import rpc
answers = []
for text in json.loads(sys.argv[1]):
    try:
        answers.append(rpc.timeout_ms(json.loads(text)))
    except rpc.RPCError:
        answers.append("error")
print(json.dumps(answers))
`, string(encoded))
	var python []any
	require.NoError(t, json.Unmarshal([]byte(out), &python))
	require.Len(t, python, len(inputs))
	for n, p := range params {
		ms, _, err := hostproto.RequestTimeout(json.RawMessage(p))
		var goAnswer any = float64(ms)
		if err != nil {
			goAnswer = "error"
		}
		assert.Equal(t, goAnswer, python[n], "timeout_ms %s", inputs[n])
	}
}
