package hostproto_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// TestOtherUsersAreRefused opens a server on a socket anyone may reach and
// connects as the nobody user: the peer uid check must close it unanswered.
func TestOtherUsersAreRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to connect as another user")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv not installed")
	}
	dir, err := os.MkdirTemp("", "peercred")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.Chmod(dir, 0o777))
	path := filepath.Join(dir, "open.sock")
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(path, 0o666))
	// Logf runs on the server's goroutine: its lines come over a channel.
	refused := make(chan string, 16)
	srv := &hostproto.Server{Handler: echo, Logf: func(f string, a ...any) {
		select {
		case refused <- f:
		default:
		}
	}}
	go srv.Serve(context.Background(), l)
	defer l.Close()

	client := `import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
    s.settimeout(5)
    print(repr(s.recv(4096)))
except (BrokenPipeError, ConnectionResetError):
    print(repr(b''))
`
	out, err := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		"/usr/bin/python3", "-c", client, path).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "b''", strings.TrimSpace(string(out)), "another user must get no answer")
	select {
	case line := <-refused:
		assert.Contains(t, line, "refused connection")
	default:
		t.Fatal("the refused connection was not logged")
	}

	// The owner still gets answers on the same socket.
	c, err := hostproto.Dial(path)
	require.NoError(t, err)
	c.Close()
}
