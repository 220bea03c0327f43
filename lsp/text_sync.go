package lsp

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/lsp/internal/rpc"
	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
)

// doc is one document open in the editor.
type doc struct {
	uri   string
	path  string // canonical path
	text  string
	saved [32]byte // hash of the text as last saved (or as on disk when opened)
	dirty bool     // the editor holds changes not on disk
}

// docStore tracks open documents and whether each is dirty.
type docStore struct {
	mu   sync.Mutex // mu guards docs.
	docs map[string]*doc
}

func newDocStore() *docStore { return &docStore{docs: map[string]*doc{}} }

// dirtyUnder reports whether an open document under dir (or the file
// itself) has unsaved changes.
func (d *docStore) dirtyUnder(dir string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, x := range d.docs {
		if x.dirty && (x.path == dir || isUnder(x.path, dir)) {
			return true
		}
	}
	return false
}

// uriFor returns the editor's URI for a canonical path, if it is open.
func (d *docStore) uriFor(path string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, x := range d.docs {
		if x.path == path {
			return x.uri, true
		}
	}
	return "", false
}

func didOpen(s *Server, p *protocol.DidOpenTextDocumentParams) {
	path := reload.Canonical(uriToPath(p.TextDocument.URI))
	x := &doc{uri: p.TextDocument.URI, path: path, text: p.TextDocument.Text}
	if disk, err := os.ReadFile(path); err == nil {
		x.saved = sha256.Sum256(disk)
	} else {
		x.saved = sha256.Sum256([]byte(x.text))
	}
	x.dirty = sha256.Sum256([]byte(x.text)) != x.saved
	s.docs.mu.Lock()
	s.docs.docs[x.uri] = x
	s.docs.mu.Unlock()
	if filepath.Ext(path) == ".py" {
		s.adoptRoot(path)
	}
}

func didChange(s *Server, p *protocol.DidChangeTextDocumentParams) {
	s.docs.mu.Lock()
	x := s.docs.docs[p.TextDocument.URI]
	if x != nil {
		for _, c := range p.ContentChanges {
			switch c := c.(type) {
			case protocol.TextDocumentContentChangeEventWhole:
				x.text = c.Text
			case protocol.TextDocumentContentChangeEvent:
				if c.Range == nil {
					x.text = c.Text
				} else {
					x.text = applyChange(x.text, *c.Range, c.Text)
				}
			}
		}
		x.dirty = sha256.Sum256([]byte(x.text)) != x.saved
	}
	s.docs.mu.Unlock()
	if x != nil && !x.dirty {
		s.packageSettled(x.path)
	}
}

func didSave(s *Server, p *protocol.DidSaveTextDocumentParams) {
	uri := p.TextDocument.URI
	path := reload.Canonical(uriToPath(uri))
	s.docs.mu.Lock()
	if x := s.docs.docs[uri]; x != nil {
		if p.Text != nil {
			x.text = *p.Text
		}
		x.saved = sha256.Sum256([]byte(x.text))
		x.dirty = false
	}
	s.docs.mu.Unlock()
	r := s.rootOf(path)
	if r == nil {
		return
	}
	if filepath.Base(path) == config.FileName && filepath.Dir(path) == r.dir {
		s.goSafe("settings", r.sess.SettingsChanged)
		return
	}
	r.sess.Saved(path)
}

func didClose(s *Server, p *protocol.DidCloseTextDocumentParams) {
	s.docs.mu.Lock()
	x := s.docs.docs[p.TextDocument.URI]
	delete(s.docs.docs, p.TextDocument.URI)
	s.docs.mu.Unlock()
	if x != nil && x.dirty {
		s.packageSettled(x.path) // its unsaved changes are dropped
	}
	if x != nil && len(x.text) >= rpc.BigMessage {
		rpc.ReleaseMemory() // a huge document's text is garbage now
	}
}

// packageSettled tells the file's root that a document of a package may no
// longer be dirty, so a reload waiting for it can go.
func (s *Server) packageSettled(path string) {
	if r := s.rootOf(path); r != nil {
		r.sess.Settled(path)
	}
}
