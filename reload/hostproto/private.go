package hostproto

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// PrivateDir makes dir (with its missing parents, mode 0700) and checks
// that no other user can change what it holds, as for the socket
// directory: dir is a real directory owned by this user (its mode is set to
// 0700), and every directory above it is owned by this user or root and,
// if others may write to it, sticky (so they cannot swap dir for theirs).
// Caches that pyreload executes or hands out live only in such a
// directory.
func PrivateDir(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() || ownerOf(st) != os.Getuid() {
		return fmt.Errorf("%s is not a directory owned by uid %d", dir, os.Getuid())
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%s has mode %v: %w", dir, st.Mode().Perm(), err)
		}
	}
	for up := filepath.Dir(dir); ; up = filepath.Dir(up) {
		st, err := os.Stat(up)
		if err != nil {
			return err
		}
		if uid := ownerOf(st); uid != os.Getuid() && uid != 0 {
			return fmt.Errorf("%s, above %s, is owned by uid %d", up, dir, uid)
		}
		if st.Mode().Perm()&0o022 != 0 && st.Mode()&os.ModeSticky == 0 {
			return fmt.Errorf("%s, above %s, may be changed by other users (mode %v)", up, dir, st.Mode().Perm())
		}
		if up == filepath.Dir(up) {
			return nil
		}
	}
}

// PrivateFile checks that path is a regular file (not a link) owned by
// this user that no one else may write.
func PrivateFile(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() || ownerOf(st) != os.Getuid() || st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is not a file of uid %d that only it may write", path, os.Getuid())
	}
	return nil
}

// PrivateCache returns a directory for a cache named name: under base when
// PrivateDir accepts base/name, else under the socket directory (private
// by the same rule), else an error.
func PrivateCache(base, name string) (string, error) {
	if base != "" {
		dir := filepath.Join(base, name)
		if err := PrivateDir(dir); err == nil {
			return dir, nil
		}
	}
	sock, err := SocketDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(sock, name)
	if err := PrivateDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

func ownerOf(st os.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}
