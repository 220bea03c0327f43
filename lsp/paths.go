package lsp

import (
	"net/url"
	"path/filepath"
	"strings"
)

// uriToPath turns a file:// URI into a path; anything else is returned as is.
func uriToPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	return filepath.FromSlash(u.Path)
}

// pathToURI turns an absolute path into a file:// URI.
func pathToURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// isUnder reports whether path is strictly inside dir.
func isUnder(path, dir string) bool {
	return strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
