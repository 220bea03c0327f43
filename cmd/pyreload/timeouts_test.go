package main_test

import (
	"bufio"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// rawHostConn dials the socket of root's one interpreter without a client,
// to send requests no client would.
func rawHostConn(t *testing.T, root string) (net.Conn, *bufio.Reader) {
	t.Helper()
	dir, err := hostproto.SocketDir()
	require.NoError(t, err)
	canon, err := hostproto.CanonicalRoot(root)
	require.NoError(t, err)
	socks, _ := filepath.Glob(filepath.Join(dir, hostproto.RootHash(canon)+"-*.sock"))
	require.Len(t, socks, 1)
	conn, err := net.Dial("unix", socks[0])
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReaderSize(conn, 1<<20)
}

// TestHostAnswersAbsurdTimeoutsTheSameWay: a timeout_ms beyond any clock is
// taken as the longest deadline (the reload succeeds), one that is not a
// number of milliseconds is a params error, and nothing reaches the app's
// output (1e13 got a deadline error, a params error or a success at random,
// and OverflowError tracebacks in the app's stderr).
func TestHostAnswersAbsurdTimeoutsTheSameWay(t *testing.T) {
	root := workspace(t, map[string]string{
		"shop/__init__.py": "PRICE = 1\n",
		"app.py":           "import time, shop\nprint('running', flush=True)\nwhile True:\n    time.sleep(0.05)\n",
	})
	_, out := startRun(t, root, "app.py")
	// The socket answers before the app has imported shop: reload once it has.
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "running") },
		20*time.Second, 10*time.Millisecond, "the app never ran: %s", out)
	conn, r := rawHostConn(t, root)
	for _, tc := range []struct {
		timeout string
		code    int // 0: the reload succeeds
	}{
		{"1e13", 0},
		{"10000000000000", 0},
		{"9300000000000000000", 0},
		{"1e400", 0},
		{"86400001", 0},
		{"0.5", 0},
		{"-5", hostproto.CodeInvalidParams},
		{`"soon"`, hostproto.CodeInvalidParams},
		{"true", hostproto.CodeInvalidParams},
	} {
		for _, method := range []string{"reload", "import"} {
			params := `{"package":"shop","timeout_ms":` + tc.timeout + `}`
			if method == "import" {
				params = `{"modules":["shop"],"timeout_ms":` + tc.timeout + `}`
			}
			_, err := conn.Write([]byte(`{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":` + params + "}\n"))
			require.NoError(t, err)
			line, err := r.ReadBytes('\n')
			require.NoError(t, err)
			var resp struct {
				Result map[string]any
				Error  *struct {
					Code    int
					Message string
				}
			}
			require.NoError(t, json.Unmarshal(line, &resp), string(line))
			if tc.code == 0 {
				require.Nil(t, resp.Error, "%s timeout_ms %s: %s", method, tc.timeout, line)
				if method == "reload" {
					assert.Equal(t, true, resp.Result["ok"], "timeout_ms %s: %s", tc.timeout, line)
				}
			} else {
				require.NotNil(t, resp.Error, "%s timeout_ms %s: %s", method, tc.timeout, line)
				assert.Equal(t, tc.code, resp.Error.Code, "%s timeout_ms %s: %s", method, tc.timeout, line)
				assert.Contains(t, resp.Error.Message, "timeout_ms")
			}
		}
	}
	assert.NotContains(t, out.String(), "Traceback")
	assert.NotContains(t, out.String(), "Error")
}
