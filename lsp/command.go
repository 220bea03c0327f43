package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/lsp/internal/rpc"
	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/session"
)

// commandArgs is the one argument every pyreload command takes.
type commandArgs struct {
	URI     string
	Package string
	Targets []reload.FindingData // the data of the diagnostics to fix
	All     bool                 // deepReload: re-execute every module of the package, changed or not
}

// fixKinds maps fix commands to the engine's fix kinds.
var fixKinds = map[string]string{
	CmdRebind: reload.FixRebind, CmdPatchInPlace: reload.FixPatch,
	CmdReloadDependents: reload.FixDependents, CmdFixAll: reload.FixAll,
}

// executeCommand queues the command's work on the root's session and
// answers when it is done, without blocking the read loop.
func executeCommand(s *Server, p *protocol.ExecuteCommandParams) (any, error) {
	args, err := parseArgs(p.Command, p.Arguments)
	if err != nil {
		return nil, err
	}
	switch p.Command {
	case CmdDeepReload:
		if args.URI == "" && args.Package == "" {
			return nil, usageError(p.Command)
		}
		r, pkg, err := s.commandTarget(args)
		if err != nil {
			return nil, err
		}
		return s.await(pkg, r.sess.Reload(pkg, args.All)), nil
	case CmdRebind, CmdPatchInPlace, CmdReloadDependents, CmdFixAll:
		if args.Package == "" && args.URI == "" {
			return nil, usageError(p.Command)
		}
		r, pkg, err := s.commandTarget(args)
		if err != nil {
			return nil, err
		}
		fix := reload.FixParams{Kind: fixKinds[p.Command], Package: pkg, Targets: args.Targets}
		if fix.Kind == reload.FixAll {
			fix.Targets = nil
		}
		return s.await(pkg, r.sess.Fix(fix)), nil
	case CmdRestartInterpreter:
		roots := s.rootList()
		if args.URI != "" {
			r := s.rootOf(reload.Canonical(uriToPath(args.URI)))
			if r == nil {
				return nil, rpc.Errorf(rpc.CodeInvalidParams, "%s is in no workspace folder", args.URI)
			}
			roots = []*root{r}
		}
		var results []rpc.Deferred
		for _, r := range roots {
			results = append(results, s.await(r.dir, r.sess.Restart()))
		}
		return rpc.Defer(func() (any, error) {
			for _, d := range results {
				if _, err := d(); err != nil {
					return nil, err
				}
			}
			return map[string]any{"restarted": len(results)}, nil
		}), nil
	}
	return nil, rpc.Errorf(rpc.CodeInvalidParams, "unknown command %q; pyreload offers %s", p.Command, strings.Join(Commands, ", "))
}

func usageError(cmd string) error {
	if cmd == CmdDeepReload {
		return rpc.Errorf(rpc.CodeInvalidParams, `%s expects one argument: {"uri": "file:///path/to/module.py"} or {"package": "name"}`, cmd)
	}
	return rpc.Errorf(rpc.CodeInvalidParams, `%s expects one argument: {"package": "name", "targets": [<diagnostic data>...]} (or {"uri": ...}); targets may be omitted to fix every stale reference`, cmd)
}

// parseArgs accepts an object, or a string (a URI or a package name).
func parseArgs(cmd string, raw []any) (commandArgs, error) {
	var a commandArgs
	if len(raw) == 0 || raw[0] == nil {
		return a, nil
	}
	switch v := raw[0].(type) {
	case string:
		if strings.Contains(v, "://") {
			a.URI = v
		} else {
			a.Package = v
		}
		return a, nil
	case map[string]any:
		var ok1, ok2 bool
		a.URI, ok1 = stringOr(v["uri"])
		a.Package, ok2 = stringOr(v["package"])
		if !ok1 || !ok2 {
			return a, usageError(cmd)
		}
		a.All, _ = v["all"].(bool)
		targets, err := parseTargets(v["targets"])
		if err != nil {
			return a, rpc.Errorf(rpc.CodeInvalidParams, "%s: %v", cmd, err)
		}
		a.Targets = targets
		return a, nil
	}
	return a, usageError(cmd)
}

// parseTargets reads a command's targets (diagnostics' data, as the client
// echoes them) into the engine's record. A target that is not one is an
// error: dropping it could leave no target, which fixes everything.
func parseTargets(v any) ([]reload.FindingData, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("targets must be a list of diagnostic data, not %T", v)
	}
	var out []reload.FindingData
	for n, e := range list {
		_, ok := e.(map[string]any)
		raw, err := json.Marshal(e)
		var t reload.FindingData
		if ok && err == nil {
			err = json.Unmarshal(raw, &t)
		}
		if !ok || err != nil {
			return nil, fmt.Errorf("target %d is not a diagnostic's data: %s", n, raw)
		}
		out = append(out, t)
	}
	return out, nil
}

func stringOr(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// commandTarget finds the root and package a command is about.
func (s *Server) commandTarget(a commandArgs) (*root, string, error) {
	if a.URI != "" {
		path := reload.Canonical(uriToPath(a.URI))
		r := s.rootOf(path)
		if r == nil {
			return nil, "", rpc.Errorf(rpc.CodeInvalidParams, "%s is in no workspace folder", a.URI)
		}
		if a.Package != "" {
			return r, a.Package, nil
		}
		pkg, ok := r.sess.PackageOf(path)
		if !ok {
			return nil, "", rpc.Errorf(rpc.CodeInvalidParams, "%s belongs to no Python package of %s", a.URI, r.dir)
		}
		return r, pkg, nil
	}
	roots := s.rootList()
	top := strings.Split(a.Package, ".")[0]
	for _, r := range roots {
		if r.sess.Loaded(top) {
			return r, a.Package, nil
		}
	}
	for _, r := range roots {
		if r.sess.IsPackage(top) {
			return r, a.Package, nil
		}
	}
	if len(roots) == 1 {
		return roots[0], a.Package, nil
	}
	return nil, "", rpc.Errorf(rpc.CodeInvalidParams, "package %q is in no workspace folder", a.Package)
}

// await answers a command once its queued work is done.
func (s *Server) await(what string, done <-chan session.Outcome) rpc.Deferred {
	return rpc.Defer(func() (any, error) {
		select {
		case res := <-done:
			if errors.Is(res.Err, session.ErrUnchanged) || res.Err == nil && res.Report == nil {
				return map[string]any{"ok": true}, nil
			}
			if res.Err != nil {
				return nil, rpc.Errorf(rpc.CodeRequestFailed, "%v", res.Err)
			}
			out := reportNotice(*res.Report)
			out["report"] = res.Report
			return out, nil
		case <-s.ctx.Done():
			return nil, rpc.Errorf(rpc.CodeRequestFailed, "the server is stopping")
		case <-time.After(session.CallTimeout + 30*time.Second):
			return nil, rpc.Errorf(rpc.CodeRequestFailed, "%s timed out", what)
		}
	})
}
