package hostproto

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// SocketDir returns the per-user socket directory, creating it with mode
// 0700. It refuses a directory owned by someone else or open to others.
func SocketDir() (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("pyreload-%d", os.Getuid()))
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
		if st, err := os.Stat(x); err == nil && st.IsDir() {
			dir = filepath.Join(x, "pyreload")
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !st.IsDir() || !ok || int(sys.Uid) != os.Getuid() {
		return "", fmt.Errorf("socket directory %s is not a directory owned by uid %d", dir, os.Getuid())
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("socket directory %s has mode %v: %w", dir, st.Mode().Perm(), err)
		}
	}
	return dir, nil
}

// CanonicalRoot returns the absolute, symlink-resolved form of root.
func CanonicalRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	return real, nil
}

// RootHash names a workspace root in socket names.
func RootHash(root string) string {
	if c, err := CanonicalRoot(root); err == nil {
		root = c
	}
	sum := sha256.Sum256([]byte(root))
	return hex.EncodeToString(sum[:])[:16]
}

// SocketPath is where process pid serves the root.
func SocketPath(dir, root string, pid int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d.sock", RootHash(root), pid))
}

// socketsOf lists the socket files of root in dir, with the pid in each name.
func socketsOf(dir, root string) (map[string]int, error) {
	prefix := RootHash(root) + "-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".sock") {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".sock"))
		if err != nil {
			continue
		}
		out[filepath.Join(dir, name)] = pid
	}
	return out, nil
}

// sortedKeys returns the paths in a stable order (by pid).
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] < m[keys[j]] })
	return keys
}
