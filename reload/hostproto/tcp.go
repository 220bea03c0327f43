package hostproto

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// DialTCP connects to an agent's token-guarded TCP listener (attach mode
// for processes in containers): it sends {"token": token} as the first
// line, then checks that the agent answers a ping.
func DialTCP(addr, token string) (*Client, error) {
	conn, err := net.DialTimeout("tcp", addr, pingTimeout)
	if err != nil {
		return nil, err
	}
	line, _ := json.Marshal(map[string]string{"token": token})
	conn.SetWriteDeadline(time.Now().Add(pingTimeout))
	if _, err := conn.Write(append(line, '\n')); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetWriteDeadline(time.Time{})
	c := newClient(conn, reload.Process{Socket: "tcp:" + addr})
	if err := c.handshake(); err != nil {
		return nil, fmt.Errorf("%s refused the token or does not answer: %w", addr, err)
	}
	return c, nil
}

// ReadToken reads an agent's TCP token file. It refuses a file that others
// than its owner may read.
func ReadToken(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("token file %s has mode %v; it must be 0600", path, st.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return tok, nil
}
