package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Keys are the settings' names as the README spells them: the JSON names
// of Settings' fields, so a new setting is known once it has a field.
var Keys = settingKeys()

func settingKeys() []string {
	t := reflect.TypeOf(Settings{})
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// clientKeys are editor-client settings sent in the same section (the
// binary's path, VS Code's trace): the server accepts them silently.
var clientKeys = map[string]bool{"path": true, "trace": true}

// UnknownKey is a setting the server does not know: most likely a typo of
// Nearest ("" when no known key is close).
type UnknownKey struct {
	Key     string
	Nearest string
}

func (e *UnknownKey) Error() string {
	if e.Nearest == "" {
		return fmt.Sprintf("unknown key %q (known: %v)", e.Key, Keys)
	}
	return fmt.Sprintf("unknown key %q; did you mean %q?", e.Key, e.Nearest)
}

// nearestKey is the known key closest to k by edit distance (on the
// normalised spelling), if it is close enough to be a typo.
func nearestKey(k string) string {
	best, bestDist := "", 1<<30
	for _, known := range Keys {
		if d := editDistance(normalize(k), normalize(known)); d < bestDist {
			best, bestDist = known, d
		}
	}
	if bestDist > max(2, len(normalize(k))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
