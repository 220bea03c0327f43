package lsptest

import "encoding/json"

// CodeAction is a code action as the editor receives it.
type CodeAction struct {
	Title       string            `json:"title"`
	Kind        string            `json:"kind"`
	Diagnostics []json.RawMessage `json:"diagnostics"`
	IsPreferred bool              `json:"isPreferred"`
	Command     *struct {
		Title     string `json:"title"`
		Command   string `json:"command"`
		Arguments []any  `json:"arguments"`
	} `json:"command"`
}

// CodeActions asks for the code actions of a file, with diags as context.
func (e *Editor) CodeActions(rel string, diags []Diagnostic, only ...string) ([]CodeAction, error) {
	ctx := map[string]any{"diagnostics": diags}
	if diags == nil {
		ctx["diagnostics"] = []any{}
	}
	if len(only) > 0 {
		ctx["only"] = only
	}
	rng := Range{}
	if len(diags) > 0 {
		rng = diags[0].Range
	}
	var out []CodeAction
	err := e.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": URI(e.Path(rel))}, "range": rng, "context": ctx}, &out)
	return out, err
}

// Execute runs a command and decodes its result.
func (e *Editor) Execute(command string, args []any, result any) error {
	params := map[string]any{"command": command}
	if args != nil {
		params["arguments"] = args
	}
	return e.Call("workspace/executeCommand", params, result)
}

// Run executes a code action's command.
func (e *Editor) Run(a CodeAction, result any) error {
	return e.Execute(a.Command.Command, a.Command.Arguments, result)
}
