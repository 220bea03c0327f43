package project

import (
	"os"
	"path/filepath"
)

// RootMarkers are the files and directories that make a directory a
// project's root, as Python's packaging tools and editors see it.
var RootMarkers = []string{"pyproject.toml", "setup.py", "setup.cfg", ".git"}

// FindRoot walks up from start (a directory, or a file: its directory) to
// the nearest directory holding one of RootMarkers. found is false when
// none has one; root is then start's directory.
func FindRoot(start string) (root string, found bool) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return start, false
	}
	dir := abs
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		dir = filepath.Dir(abs)
	}
	for d := dir; ; {
		for _, m := range RootMarkers {
			if _, err := os.Stat(filepath.Join(d, m)); err == nil {
				return d, true
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir, false
		}
		d = parent
	}
}
