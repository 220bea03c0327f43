package hostproto

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// Discover connects to every live interpreter serving root. Socket files
// whose process is gone are removed; ones that exist but do not answer are
// left alone and skipped.
func Discover(root string) ([]*Client, error) {
	dir, err := SocketDir()
	if err != nil {
		return nil, err
	}
	socks, err := socketsOf(dir, root)
	if err != nil {
		return nil, err
	}
	var clients []*Client
	for _, path := range sortedKeys(socks) {
		c, err := Dial(path)
		if err != nil {
			if isStale(err) {
				os.Remove(path)
			}
			continue
		}
		clients = append(clients, c)
	}
	return clients, nil
}

// isStale tells whether a dial error means nobody listens on the socket.
func isStale(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) {
		return errors.Is(op.Err, syscall.ECONNREFUSED) || errors.Is(op.Err, syscall.ENOENT)
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}
