package lsp

import (
	"encoding/json"
	"fmt"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

// bareDiagnostic is a diagnostic as some clients send it back in a code
// action request: without the source and data they were published with
// (ALE sends only range, code and message).
type bareDiagnostic struct {
	Range   protocol.Range `json:"range"`
	Code    any            `json:"code"`
	Message string         `json:"message"`
}

// remembered returns the data of the diagnostic published on path that a
// client sent back as raw without it: the one starting on the same line
// with the same code (when the client sent one), the same message (newlines
// as spaces, as ALE shows them) before others, then the nearest column.
func (d *diagSet) remembered(path string, raw json.RawMessage) (reload.FindingData, bool) {
	var b bareDiagnostic
	if json.Unmarshal(raw, &b) != nil {
		return reload.FindingData{}, false
	}
	code := ""
	if b.Code != nil {
		code = fmt.Sprint(b.Code)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var best reload.FindingData
	bestScore := -1
	for _, byFile := range d.byKey {
		for _, x := range byFile[path] {
			data, ok := x.Data.(reload.FindingData)
			if !ok || x.Range.Start.Line != b.Range.Start.Line {
				continue
			}
			if code != "" && (x.Code == nil || fmt.Sprint(x.Code.Value) != code) {
				continue
			}
			score := 1000 - min(distance(x.Range.Start.Character, b.Range.Start.Character), 999)
			if b.Message != "" && oneLine(x.Message) == oneLine(b.Message) {
				score += 1000
			}
			if score > bestScore {
				best, bestScore = data, score
			}
		}
	}
	return best, bestScore >= 0
}

func distance(a, b protocol.UInteger) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// oneLine is a message with its line breaks as spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
