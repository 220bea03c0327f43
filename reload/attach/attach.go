// Package attach connects to the agents that a root's settings name for TCP
// (`attach` in [tool.pyreload]: processes in containers). It reads each
// agent's token file, dials it, and maps paths when the agent sees the
// workspace under another root.
package attach

import (
	"fmt"
	"path/filepath"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/hostproto"
)

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
