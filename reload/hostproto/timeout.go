package hostproto

import (
	"encoding/json"
	"math"
)

// MaxTimeoutMS is the longest deadline a request may ask for (24 hours); a
// larger timeout_ms is taken as this. Python's timers refuse deadlines some
// way beyond it (OverflowError), and Go's durations overflow at 292 years.
const MaxTimeoutMS = 24 * 60 * 60 * 1000

// RequestTimeout reads a request's timeout_ms: 0 when absent, null or 0 (the
// method's default applies), at most MaxTimeoutMS. params comes back with
// timeout_ms rewritten to that value when it was changed, so that the
// interpreter's engine sees the same deadline. Anything but a number of
// milliseconds at or above zero is CodeInvalidParams.
func RequestTimeout(params json.RawMessage) (int, json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if len(params) == 0 || json.Unmarshal(params, &fields) != nil {
		return 0, params, nil // not an object: the method's own decoding says so
	}
	raw, ok := fields["timeout_ms"]
	if !ok || string(raw) == "null" {
		return 0, params, nil
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		// Numbers beyond float64 (1e400) fail here too: they are huge.
		var n json.Number
		if json.Unmarshal(raw, &n) != nil || len(n) == 0 || n[0] == '-' {
			return 0, params, Error(CodeInvalidParams, "timeout_ms must be a number of milliseconds, not %s", clip(raw))
		}
		ms = math.Inf(1)
	}
	if ms < 0 {
		return 0, params, Error(CodeInvalidParams, "timeout_ms must be a number of milliseconds, not %s", clip(raw))
	}
	clamped := int(math.Min(math.Ceil(ms), MaxTimeoutMS))
	if float64(clamped) == ms {
		return clamped, params, nil
	}
	fields["timeout_ms"], _ = json.Marshal(clamped)
	fixed, err := json.Marshal(fields)
	if err != nil {
		return 0, params, Error(CodeInvalidParams, "bad params: %v", err)
	}
	return clamped, fixed, nil
}

func clip(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}
