package lsp

import (
	"encoding/json"
	"testing"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

func TestRememberedMatchesLineCodeAndMessage(t *testing.T) {
	diag := func(line, char protocol.UInteger, code, msg, name string) protocol.Diagnostic {
		return protocol.Diagnostic{
			Range:   protocol.Range{Start: protocol.Position{Line: line, Character: char}},
			Code:    &protocol.IntegerOrString{Value: code},
			Message: msg,
			Data:    reload.FindingData{Code: code, Name: name, Fixes: []string{"rebind"}},
		}
	}
	d := &diagSet{byKey: map[string]map[string][]protocol.Diagnostic{
		"shop": {"/w/app/views.py": {
			diag(2, 0, "stale-import", "`hello` is old", "hello"),
			diag(2, 20, "stale-import", "`bye` is old\nsee line 3", "bye"),
			diag(4, 0, "stale-module", "module", "core"),
		}},
		"other": {"/w/app/other.py": {diag(2, 0, "stale-import", "`hello` is old", "elsewhere")}},
	}}
	cases := []struct {
		sent string
		want string // the name in the data found; "" for none
	}{
		{`{"range":{"start":{"line":2,"character":0}},"code":"stale-import","message":"x"}`, "hello"},
		{`{"range":{"start":{"line":2,"character":18}},"code":"stale-import"}`, "bye"},
		{`{"range":{"start":{"line":2,"character":0}},"code":"stale-import","message":"` + "`bye` is old see line 3" + `"}`, "bye"},
		{`{"range":{"start":{"line":4,"character":3}}}`, "core"},
		{`{"range":{"start":{"line":4,"character":0}},"code":"stale-import"}`, ""},
		{`{"range":{"start":{"line":3,"character":0}},"code":"stale-import"}`, ""},
		{`{"range":7}`, ""},
	}
	for _, c := range cases {
		data, ok := d.remembered("/w/app/views.py", json.RawMessage(c.sent))
		got := ""
		if ok {
			got = data.Name
			if len(data.Fixes) != 1 || data.Fixes[0] != "rebind" {
				t.Errorf("%s: fixes %v, want the published [rebind]", c.sent, data.Fixes)
			}
		}
		if got != c.want {
			t.Errorf("%s: found %q, want %q", c.sent, got, c.want)
		}
	}
}
