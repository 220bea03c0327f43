// Package attach connects to a root's interpreters: the processes that
// listen on a socket for it, and the agents its settings name for TCP
// (`attach` in [tool.pyreload]: processes in containers). For those it reads
// each agent's token file, dials it, and maps paths when the agent sees the
// workspace under another root.
package attach

import (
	"fmt"
	"path/filepath"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// Interpreters connects to every interpreter of root: those with a socket
// for it, then the agents of entries. It returns what it reached, one error
// per entry it could not reach, and the error of listing the sockets.
func Interpreters(root string, entries []config.Attach) ([]reload.Interpreter, []error, error) {
	clients, err := hostproto.Discover(root)
	ins := make([]reload.Interpreter, 0, len(clients)+len(entries))
	for _, c := range clients {
		ins = append(ins, c)
	}
	tcp, unreachable := Connect(root, entries)
	return append(ins, tcp...), unreachable, err
}

// Connect dials every entry for root. It returns the interpreters it
// reached, and one error per entry it could not reach, naming its address.
func Connect(root string, entries []config.Attach) ([]reload.Interpreter, []error) {
	var ins []reload.Interpreter
	var errs []error
	for _, e := range entries {
		in, err := dial(root, e)
		if err != nil {
			errs = append(errs, fmt.Errorf("attach %s: %w", e.Address, err))
			continue
		}
		ins = append(ins, in)
	}
	return ins, errs
}

func dial(root string, e config.Attach) (reload.Interpreter, error) {
	if e.TokenFile == "" {
		return nil, fmt.Errorf("no tokenFile: the agent's --tcp listener needs the token it wrote")
	}
	tokenFile := e.TokenFile
	if !filepath.IsAbs(tokenFile) {
		tokenFile = filepath.Join(root, tokenFile)
	}
	token, err := hostproto.ReadToken(tokenFile)
	if err != nil {
		return nil, err
	}
	c, err := hostproto.DialTCP(e.Address, token)
	if err != nil {
		return nil, err
	}
	if e.RemoteRoot == "" {
		return c, nil
	}
	return reload.Mounted(c, e.RemoteRoot, root), nil
}
