package reload

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRebase(t *testing.T) {
	toLocal := rebase("/app", "/home/me/proj")
	for in, want := range map[string]string{
		"/app":                     "/home/me/proj",
		"/app/shop/core.py":        "/home/me/proj/shop/core.py",
		"/apple/core.py":           "/apple/core.py", // not under /app
		"/usr/lib/python3.11/x.py": "/usr/lib/python3.11/x.py",
		"":                         "",
	} {
		assert.Equal(t, want, toLocal(in), in)
	}
}

func TestMountedPathsOfReportAndStatus(t *testing.T) {
	move := rebase("/app", "/w")
	rep := Report{
		Error: &Failure{File: "/app/a.py", Traceback: "File \"/app/a.py\""},
		Stale: []Stale{
			{File: "/app/b.py", New: &Location{File: "/app/c.py"}},
			{File: ""}, // not located
		},
	}
	rep.mapPaths(move)
	assert.Equal(t, "/w/a.py", rep.Error.File)
	assert.Equal(t, "File \"/app/a.py\"", rep.Error.Traceback, "the traceback is what the process printed")
	assert.Equal(t, "/w/b.py", rep.Stale[0].File)
	assert.Equal(t, "/w/c.py", rep.Stale[0].New.File)
	assert.Equal(t, "", rep.Stale[1].File)

	st := Status{Root: "/app", SysPath: []string{"/app", "/usr/lib/python311.zip"},
		EntryError: &Failure{File: "/app/main.py"}, StartupFailures: []Failure{{File: "/app/x.py"}}}
	st.mapPaths(move)
	assert.Equal(t, Status{Root: "/w", SysPath: []string{"/w", "/usr/lib/python311.zip"},
		EntryError: &Failure{File: "/w/main.py"}, StartupFailures: []Failure{{File: "/w/x.py"}}}, st)
	assert.NotPanics(t, func() { (&Report{}).mapPaths(move) })
}
