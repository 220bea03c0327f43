package main_test

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestRunsStartedTogetherServeTheRootOnce: two `pyreload run` of one root
// started at the same instant both served it (5 of 5 tries): the root's run
// lock lets one through and refuses the other.
func TestRunsStartedTogetherServeTheRootOnce(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(0.1)\n"})
	bin := testbinary.Path(t)
	for try := 0; try < 3; try++ {
		var cmds [2]*exec.Cmd
		exited := make(chan int, 2)
		for n := range cmds {
			cmds[n] = exec.Command(bin, "run", "app.py")
			cmds[n].Dir = root
		}
		for n := range cmds {
			require.NoError(t, cmds[n].Start())
		}
		for n := range cmds {
			go func(c *exec.Cmd) {
				err := c.Wait()
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					exited <- ee.ExitCode()
				} else {
					exited <- 0
				}
			}(cmds[n])
		}
		select {
		case code := <-exited:
			assert.Equal(t, 75, code, "try %d: the second run is refused", try)
		case <-time.After(30 * time.Second):
			t.Fatalf("try %d: both runs are still running", try)
		}
		var clients []*hostproto.Client
		require.Eventually(t, func() bool {
			for _, c := range clients {
				c.Close()
			}
			clients, _ = hostproto.Discover(root)
			return len(clients) > 0
		}, 20*time.Second, 20*time.Millisecond)
		assert.Len(t, clients, 1, "try %d: one interpreter serves the root", try)
		for _, c := range clients {
			c.Close()
		}
		select {
		case code := <-exited:
			t.Fatalf("try %d: the other run ended too (code %d)", try, code)
		default:
		}
		for _, c := range cmds {
			c.Process.Kill()
		}
		<-exited
		// The killed run's host follows its parent; wait until it is gone.
		require.Eventually(t, func() bool {
			clients, _ := hostproto.Discover(root)
			for _, c := range clients {
				c.Close()
			}
			return len(clients) == 0
		}, 20*time.Second, 20*time.Millisecond)
	}
}
