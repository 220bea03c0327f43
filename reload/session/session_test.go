package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/hostproto"
)

const (
	wait = 5 * time.Second
	tick = 5 * time.Millisecond
)

// attachedSession starts a session attached to one fake agent that loaded
// shop and other, with a short debounce.
func attachedSession(t *testing.T, cfg Config) (*Session, *owner, *fakeInterp, string) {
	t.Helper()
	root := workspace(t)
	in := newFakeInterp(7, root, "shop", "other")
	o := &owner{settings: config.Default(), unsaved: map[string]bool{}}
	o.settings.DebounceMS = 100
	cfg.Root, cfg.Events, cfg.Workspace = root, o, o
	if cfg.Interpreters == nil {
		cfg.Interpreters = &fakeInterps{root: root, live: []reload.Interpreter{in}}
	}
	s := New(context.Background(), cfg)
	t.Cleanup(s.Stop)
	s.Start()
	return s, o, in, root
}

func reloads(in *fakeInterp) []string {
	var out []string
	for _, c := range in.called() {
		if strings.HasPrefix(c, "reload ") {
			out = append(out, c)
		}
	}
	return out
}

// settle waits long enough for any debounce of these tests to have fired.
func settle() { time.Sleep(300 * time.Millisecond) }

func TestBurstOfSavesIsOneReloadPerPackage(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{OwnHost: true})
	var core string
	for i := 0; i < 5; i++ {
		core = edit(t, root, "shop/core.py", strings.Repeat("x = 1\n", i+2))
		s.Saved(core)
		time.Sleep(5 * time.Millisecond)
	}
	s.Saved(edit(t, root, "other/a.py", "y = 2\n"))
	require.Eventually(t, func() bool { return len(reloads(in)) == 2 }, wait, tick)
	settle()
	assert.ElementsMatch(t, []string{"reload shop", "reload other"}, reloads(in), "one reload per package for the burst")
	o.with(func(o *owner) {
		require.Len(t, o.done, 2)
		for _, d := range o.done {
			if d.Package == "shop" {
				assert.Equal(t, core, d.Trigger, "the report names the saved file")
			}
		}
	})
}

func TestAnUnsavedFileHoldsItsPackage(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{OwnHost: true})
	o.with(func(o *owner) { o.unsaved[root+"/shop"] = true })
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	settle()
	assert.Empty(t, reloads(in), "a file of the package is unsaved: the reload waits")
	o.with(func(o *owner) { o.unsaved = map[string]bool{} })
	s.Settled(root + "/shop/views.py")
	require.Eventually(t, func() bool { return len(reloads(in)) == 1 }, wait, tick)
}

func TestSavesDuringAReloadQueueOneFollowUp(t *testing.T) {
	s, _, in, root := attachedSession(t, Config{OwnHost: true})
	gate := make(chan struct{})
	in.set(func(f *fakeInterp) { f.gate = gate })
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool { return len(reloads(in)) == 1 }, wait, tick)
	for i := 0; i < 3; i++ {
		s.Saved(edit(t, root, "shop/core.py", strings.Repeat("x = 3\n", i+1)))
		settle()
	}
	close(gate)
	require.Eventually(t, func() bool { return len(reloads(in)) == 2 }, wait, tick)
	settle()
	assert.Len(t, reloads(in), 2, "three saves during a reload queue one follow-up")
}

func TestAnUnchangedPackageIsNotReloadedUnlessAsked(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{OwnHost: true})
	s.Saved(root + "/shop/core.py") // saved as it was
	settle()
	assert.Empty(t, reloads(in))
	o.with(func(o *owner) { assert.Empty(t, o.failed, "nothing to do is no failure") })

	out := <-s.Reload("shop", true)
	require.NoError(t, out.Err)
	require.NotNil(t, out.Report)
	assert.True(t, out.Report.OK)
	assert.Equal(t, []string{"reload shop"}, reloads(in), "an explicit request reloads")
}

func TestSettingsDecideWhatASaveReloads(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{OwnHost: true})
	o.with(func(o *owner) { o.settings.Exclude = []string{"other"} })
	s.SettingsChanged()
	s.Saved(edit(t, root, "other/a.py", "y = 3\n"))
	o.with(func(o *owner) { o.settings.OnSave = false })
	s.SettingsChanged()
	s.Saved(edit(t, root, "shop/core.py", "x = 3\n"))
	settle()
	assert.Empty(t, reloads(in), "excluded packages and onSave = false")
	assert.Equal(t, []string{"ready"}, o.states(), "no restart: nothing the host runs changed")
}

func TestFixAfterAndEveryReloadOption(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{All: true, Reset: []string{"shop.core.x"}, FixAfter: reload.FixRebind})
	var got reload.ReloadParams
	in.set(func(f *fakeInterp) {
		f.reloaded = func(p reload.ReloadParams) reload.Report {
			got = p
			return reload.Report{Action: "reload", Package: p.Package, OK: true}
		}
	})
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool { return len(in.called()) == 2 }, wait, tick)
	assert.Equal(t, []string{"reload shop", "fix rebind shop"}, in.called())
	in.set(func(*fakeInterp) {})
	assert.True(t, got.All)
	assert.Equal(t, []string{"shop.core.x"}, got.Reset)
	o.with(func(o *owner) {
		require.Len(t, o.done, 1)
		require.NotNil(t, o.done[0].Fixed)
		assert.Equal(t, "fix", o.done[0].Last().Action)
	})
}

func TestWithoutItsOwnHostASessionDiscoversBeforeEachReload(t *testing.T) {
	root := workspace(t)
	interps := &fakeInterps{root: root}
	s, o, _, _ := attachedSessionAt(t, root, Config{Interpreters: interps})
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool {
		var failed []error
		o.with(func(o *owner) { failed = o.failed })
		return len(failed) == 1 && errors.Is(failed[0], ErrNoInterpreter)
	}, wait, tick)
	assert.Zero(t, interps.started(), "a watch never starts a host")

	in := newFakeInterp(8, root, "shop")
	interps.mu.Lock()
	interps.live = []reload.Interpreter{in}
	interps.mu.Unlock()
	s.Saved(edit(t, root, "shop/core.py", "x = 3\n"))
	require.Eventually(t, func() bool { return len(reloads(in)) == 1 }, wait, tick)
}

// attachedSessionAt is attachedSession on a given root.
func attachedSessionAt(t *testing.T, root string, cfg Config) (*Session, *owner, *fakeInterp, string) {
	t.Helper()
	o := &owner{settings: config.Default(), unsaved: map[string]bool{}}
	o.settings.DebounceMS = 100
	cfg.Root, cfg.Events, cfg.Workspace = root, o, o
	s := New(context.Background(), cfg)
	t.Cleanup(s.Stop)
	s.Start()
	return s, o, nil, root
}

func TestAHostThatKeepsDyingIsLeftFailedUntilASave(t *testing.T) {
	root := workspace(t)
	interps := &fakeInterps{root: root}
	s, o, _, _ := attachedSessionAt(t, root, Config{Interpreters: interps, OwnHost: true})
	require.Equal(t, 1, interps.started())
	assert.Equal(t, []string{"ready"}, o.states())
	for n := 0; n <= MaxCrashRestarts; n++ {
		require.Eventually(t, func() bool { return interps.started() == n+1 }, wait, tick)
		interps.host(n).die(Exit{Code: 1, Signal: "SIGSEGV", Stderr: []string{
			"Fatal Python error: Segmentation fault", "Current thread 0x1 (most recent call first):",
			`  File "` + root + `/shop/core.py", line 3 in boom`}})
	}
	o.waitState(t, "failed")
	settle()
	assert.Equal(t, MaxCrashRestarts+1, interps.started(), "restarted 4 times, then left failed")
	o.with(func(o *owner) {
		last := o.statuses[len(o.statuses)-1]
		assert.Contains(t, last.Reason, "died 5 times in a row: it was killed by SIGSEGV")
		assert.Equal(t, root+"/shop/core.py", last.File, "the innermost frame of the root")
		var restarted, gaveUp []string
		for _, m := range o.messages {
			if strings.Contains(m, "it was restarted") {
				restarted = append(restarted, m)
			}
			if strings.Contains(m, "died 5 times in a row") {
				gaveUp = append(gaveUp, m)
			}
		}
		assert.Len(t, restarted, 1, "one message per crash loop: %v", o.messages)
		assert.Len(t, gaveUp, 1, "and one when it gives up: %v", o.messages)
	})

	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool { return interps.started() == MaxCrashRestarts+2 }, wait, tick)
	o.waitState(t, "ready")
}

func TestAFailedImportIsRetriedWhenItsPackageIsSaved(t *testing.T) {
	root := workspace(t)
	interps := &fakeInterps{root: root, failing: []string{"shop"}}
	s, o, _, _ := attachedSessionAt(t, root, Config{Interpreters: interps, OwnHost: true})
	host := interps.host(0)
	assert.Equal(t, []string{"import other", "import shop"}, host.in.called())
	o.with(func(o *owner) {
		require.NotEmpty(t, o.startup)
		require.Len(t, o.startup[len(o.startup)-1], 1)
		assert.Equal(t, "shop", o.startup[len(o.startup)-1][0].Module)
	})

	host.in.set(func(f *fakeInterp) { f.failing = map[string]bool{} })
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool { return len(host.in.called()) == 3 }, wait, tick)
	assert.Equal(t, "import shop", host.in.called()[2], "imported again, not reloaded")
	require.Eventually(t, func() bool {
		var empty bool
		o.with(func(o *owner) { empty = len(o.startup[len(o.startup)-1]) == 0 })
		return empty
	}, wait, tick)
	o.with(func(o *owner) {
		assert.Contains(t, o.messages[len(o.messages)-1], "shop imports now")
	})
}

func TestAHostStepsAsideForARunAndComesBackAfterIt(t *testing.T) {
	root := workspace(t)
	interps := &fakeInterps{root: root}
	_, o, _, _ := attachedSessionAt(t, root, Config{Interpreters: interps, OwnHost: true})
	run := newFakeInterp(9, root, "shop")
	run.role = "run"
	interps.mu.Lock()
	interps.live = []reload.Interpreter{run}
	interps.mu.Unlock()
	interps.host(0).die(Exit{Code: hostproto.ExitSteppedAside})
	require.Eventually(t, func() bool {
		st := o.states()
		return len(st) == 3 && st[2] == "ready"
	}, wait, tick)
	o.with(func(o *owner) {
		assert.Equal(t, []int{9}, o.statuses[2].PIDs, "attached to the run")
		assert.Contains(t, o.messages[len(o.messages)-1], "already runs in pid 9")
	})
	assert.Equal(t, 1, interps.started())

	run.set(func(f *fakeInterp) { f.dead = true })
	require.Eventually(t, func() bool { return interps.started() == 2 }, wait, tick)
	o.waitState(t, "ready")
}

func TestAnEntryChangeRestartsTheHost(t *testing.T) {
	root := workspace(t)
	interps := &fakeInterps{root: root}
	s, o, _, _ := attachedSessionAt(t, root, Config{Interpreters: interps, OwnHost: true})
	o.with(func(o *owner) { o.settings.DebounceMS = 50 }) // no change to what the host runs
	s.SettingsChanged()
	o.with(func(o *owner) { o.settings.Entry = "shop.core" })
	s.SettingsChanged()
	require.Eventually(t, func() bool {
		st := o.states()
		return len(st) == 3 && st[2] == "ready"
	}, wait, tick)
	assert.Equal(t, []string{"ready", "restarting", "ready"}, o.states())
}

func TestAnAttachedAppThatEndsGivesWayToTheSessionsHost(t *testing.T) {
	s, o, in, root := attachedSession(t, Config{OwnHost: true})
	interps := s.cfg.Interpreters.(*fakeInterps)
	in.set(func(f *fakeInterp) { f.dead = true }) // the app exited
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n"))
	require.Eventually(t, func() bool { return interps.started() == 1 }, wait, tick)
	require.Eventually(t, func() bool {
		var pids []int
		o.with(func(o *owner) {
			if last := o.statuses[len(o.statuses)-1]; last.State == "ready" {
				pids = last.PIDs
			}
		})
		return slices.Equal(pids, []int{1000})
	}, wait, tick, "the session's own host takes over")
}

func TestAFailedEntryRunsAgainWhenItsFileIsSaved(t *testing.T) {
	root := workspace(t)
	app := edit(t, root, "app.py", "raise SystemExit(main())\n")
	interps := &fakeInterps{root: root, entryErr: &reload.Failure{Type: "NameError", Message: "name 'main' is not defined", File: app, Line: 1}}
	o := &owner{settings: config.Default(), unsaved: map[string]bool{}}
	o.settings.DebounceMS, o.settings.Entry = 100, "app.py"
	s := New(context.Background(), Config{Root: root, Events: o, Workspace: o, Interpreters: interps, OwnHost: true})
	t.Cleanup(s.Stop)
	s.Start()
	require.Eventually(t, func() bool {
		var entry bool
		o.with(func(o *owner) { entry = len(o.startup) > 1 })
		return entry
	}, wait, tick, "the entry's failure is reported")
	host := interps.host(0)
	host.in.set(func(f *fakeInterp) { f.entryErr = nil })
	s.Saved(edit(t, root, "app.py", "def main():\n    return 0\nraise SystemExit(main())\n"))
	require.Eventually(t, func() bool { return host.restarted() == 1 }, wait, tick)
	o.with(func(o *owner) {
		assert.Contains(t, strings.Join(o.messages, "\n"), "the entry `app.py` failed at startup; running it again")
	})
	assert.Empty(t, reloads(host.in), "run again, not reloaded")
}

// panicky is an owner whose Reported and Unsaved panic once each.
type panicky struct {
	*owner
	reported, unsaved atomic.Bool
}

func (p *panicky) Reported(d Done) {
	if !p.reported.Swap(true) {
		panic("the owner's bug")
	}
	p.owner.Reported(d)
}

func (p *panicky) Unsaved(path string) bool {
	if !p.unsaved.Swap(true) {
		panic("the owner's other bug")
	}
	return p.owner.Unsaved(path)
}

func TestAPanickingOwnerDoesNotStopTheSession(t *testing.T) {
	root := workspace(t)
	in := newFakeInterp(7, root, "shop")
	o := &panicky{owner: &owner{settings: config.Default(), unsaved: map[string]bool{}}}
	o.settings.DebounceMS = 100
	s := New(context.Background(), Config{Root: root, Events: o, Workspace: o,
		Interpreters: &fakeInterps{root: root, live: []reload.Interpreter{in}}})
	t.Cleanup(s.Stop)
	s.Start()
	s.Saved(edit(t, root, "shop/core.py", "x = 2\n")) // its debounce meets the Unsaved panic
	settle()
	assert.Empty(t, reloads(in))
	out := <-s.Reload("shop", false) // its report meets the Reported panic
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "internal error")
	out = <-s.Reload("shop", false)
	require.NoError(t, out.Err)
	o.with(func(o *owner) { assert.Len(t, o.done, 1, "the session goes on") })
}
