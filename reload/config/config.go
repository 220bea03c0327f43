// Package config reads pyreload's settings: `[tool.pyreload]` in a
// workspace root's pyproject.toml, overridden by editor settings (LSP
// initializationOptions and workspace/configuration section "pyreload").
// The language server and the CLI share it, so a project carries its own
// settings.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// Modes of a reload: in place (the default) updates the running objects;
// evict re-imports into new ones and reports what still holds the old.
const (
	ModeInplace = "inplace"
	ModeEvict   = "evict"
	ModePatch   = "patch" // accepted for ModeInplace
)

// MaxReloadTimeoutMS bounds reloadTimeoutMs: 24 hours, as the host
// protocol's timeout_ms.
const MaxReloadTimeoutMS = 24 * 60 * 60 * 1000

// DefaultDebounceMS is how long a save waits for more saves.
const DefaultDebounceMS = 200

// Settings are pyreload's settings for one workspace root.
type Settings struct {
	OnSave     bool     `json:"onSave"`     // reload the package when one of its files is saved
	Packages   []string `json:"packages"`   // what the embedded host imports; empty: discover
	Exclude    []string `json:"exclude"`    // packages (or globs) never reloaded
	Entry      string   `json:"entry"`      // module, module:function or script the host runs
	PythonPath string   `json:"pythonPath"` // the Python the user configured
	Paths      []string `json:"paths"`      // extra sys.path entries, relative to the root
	Hooks      []string `json:"hooks"`      // user modules with before_reload/after_reload(modules)
	Mode       string   `json:"mode"`       // inplace (default) or evict; "patch" means inplace
	DebounceMS int      `json:"debounceMs"` // wait after a save
	// ReloadTimeoutMS is the deadline of one reload's re-import in each
	// interpreter, after which it is interrupted and rolled back; 0: the
	// engine's default (30 s).
	ReloadTimeoutMS int      `json:"reloadTimeoutMs"`
	Attach          []Attach `json:"attach"` // agents reached over TCP (containers)
}

// Attach is one agent reached over TCP, typically in a container: its
// address, the 0600 token file it wrote, and, when its files are mounted
// elsewhere in the container, the root as the agent sees it.
type Attach struct {
	Address    string `json:"address"`    // HOST:PORT of the agent's --tcp listener
	TokenFile  string `json:"tokenFile"`  // relative paths are relative to the root
	RemoteRoot string `json:"remoteRoot"` // the agent's --root; empty: the same as ours
}

// Default returns the settings used when nothing is configured.
func Default() Settings {
	return Settings{OnSave: true, Mode: ModeInplace, DebounceMS: DefaultDebounceMS}
}

// FileName is the file of a root that holds the settings.
const FileName = "pyproject.toml"

// Load reads `[tool.pyreload]` from root's pyproject.toml over the defaults.
// A missing file or section gives the defaults; a malformed one gives the
// defaults and an error that names the file; a key of the wrong type is
// reported while the valid keys still apply.
func Load(root string) (Settings, error) {
	s := Default()
	path := filepath.Join(root, FileName)
	var doc struct {
		Tool struct {
			Pyreload map[string]any `toml:"pyreload"`
		} `toml:"tool"`
	}
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return s, nil
		}
		return s, fmt.Errorf("%s: %w", path, err)
	}
	merged, err := s.Merge(doc.Tool.Pyreload)
	if err != nil {
		return merged, fmt.Errorf("%s [tool.pyreload]: %w", path, err)
	}
	return merged, nil
}

// Merge returns s overridden by the keys of m (editor settings or TOML).
// Keys match case-insensitively and ignore '_' and '-' (onSave, on_save,
// on-save). A map holding a "pyreload" object is unwrapped first. Unknown
// keys are ignored; a key of the wrong type is an error and leaves that
// setting as it was.
func (s Settings) Merge(m map[string]any) (Settings, error) {
	if inner, ok := m["pyreload"].(map[string]any); ok {
		m = inner
	}
	var errs []error
	for _, k := range sortedKeys(m) {
		v := m[k]
		if v == nil {
			continue
		}
		var err error
		switch normalize(k) {
		case "onsave":
			err = setBool(&s.OnSave, v)
		case "packages":
			err = setStrings(&s.Packages, v)
		case "exclude":
			err = setStrings(&s.Exclude, v)
		case "entry":
			err = setString(&s.Entry, v)
		case "pythonpath":
			err = setString(&s.PythonPath, v)
		case "paths":
			err = setStrings(&s.Paths, v)
		case "hooks":
			err = setStrings(&s.Hooks, v)
		case "mode":
			var mode string
			if err = setString(&mode, v); err == nil {
				if mode == ModePatch {
					mode = ModeInplace // the first version's name for updating in place
				}
				if mode != ModeEvict && mode != ModeInplace {
					err = fmt.Errorf("must be %q or %q, not %q", ModeInplace, ModeEvict, mode)
				} else {
					s.Mode = mode
				}
			}
		case "attach":
			err = setAttach(&s.Attach, v)
		case "reloadtimeoutms":
			var ms int
			if err = setInt(&ms, v); err == nil {
				if ms < 0 || ms > MaxReloadTimeoutMS {
					err = fmt.Errorf("must be 0 (the default, 30 s) to %d milliseconds, not %d", MaxReloadTimeoutMS, ms)
				} else {
					s.ReloadTimeoutMS = ms
				}
			}
		case "debouncems":
			err = setInt(&s.DebounceMS, v)
			if err == nil && s.DebounceMS < 0 {
				s.DebounceMS = 0
			}
		default:
			if !clientKeys[normalize(k)] {
				errs = append(errs, &UnknownKey{Key: k, Nearest: nearestKey(k)})
			}
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
	}
	return s, errors.Join(errs...)
}

// Excluded reports whether package pkg is excluded from reloading.
func (s Settings) Excluded(pkg string) bool {
	for _, pat := range s.Exclude {
		if pat == pkg || strings.HasPrefix(pkg, pat+".") {
			return true
		}
		if ok, _ := filepath.Match(pat, pkg); ok {
			return true
		}
	}
	return false
}

func normalize(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
}

func setBool(dst *bool, v any) error {
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("want a boolean, got %T", v)
	}
	*dst = b
	return nil
}

func setString(dst *string, v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("want a string, got %T", v)
	}
	*dst = str
	return nil
}

func setStrings(dst *[]string, v any) error {
	switch list := v.(type) {
	case []string:
		*dst = append([]string(nil), list...)
		return nil
	case string:
		*dst = []string{list}
		return nil
	case []any:
		out := make([]string, 0, len(list))
		for _, e := range list {
			str, ok := e.(string)
			if !ok {
				return fmt.Errorf("want a list of strings, found %T", e)
			}
			out = append(out, str)
		}
		*dst = out
		return nil
	}
	return fmt.Errorf("want a list of strings, got %T", v)
}

// setAttach reads a list of agents: tables with address, tokenFile and
// remoteRoot (keys matched like the settings' own), or "HOST:PORT" strings.
func setAttach(dst *[]Attach, v any) error {
	var items []any
	switch list := v.(type) {
	case []any:
		items = list
	case []map[string]any:
		for _, m := range list {
			items = append(items, m)
		}
	default:
		return fmt.Errorf("want a list of {address, tokenFile, remoteRoot}, got %T", v)
	}
	out := make([]Attach, 0, len(items))
	for _, item := range items {
		var a Attach
		switch e := item.(type) {
		case string:
			a.Address = e
		case map[string]any:
			for k, val := range e {
				var field *string
				switch normalize(k) {
				case "address":
					field = &a.Address
				case "tokenfile":
					field = &a.TokenFile
				case "remoteroot":
					field = &a.RemoteRoot
				default:
					continue
				}
				if err := setString(field, val); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			}
		default:
			return fmt.Errorf("want {address, tokenFile, remoteRoot} or \"HOST:PORT\", found %T", item)
		}
		if a.Address == "" {
			return fmt.Errorf("an entry has no address")
		}
		out = append(out, a)
	}
	*dst = out
	return nil
}

func setInt(dst *int, v any) error {
	var f float64
	switch n := v.(type) {
	case int:
		*dst = n
		return nil
	case int64:
		*dst = int(n)
		return nil
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("want a number, got %T", v)
	}
	if f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return fmt.Errorf("want a whole number, got %v", f)
	}
	*dst = int(f)
	return nil
}
