package main_test

import (
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Django adapter on a real project (testdata/frameworks/django: the
// tutorial's polls app with models, admin, an included URLconf, a template
// tag library), served on loopback by Debian's Django with `manage.py
// runserver --noreload` under `pyreload run` and under the agent, driven over
// HTTP while `pyreload reload` applies edits.

// djangoPrepare migrates the project's SQLite database and adds one question
// with one choice.
func djangoPrepare(t *testing.T, root string) {
	t.Helper()
	for _, args := range [][]string{
		{"manage.py", "migrate", "--verbosity", "0"},
		{"manage.py", "shell", "-c", "from django.utils import timezone; from polls.models import Question; " +
			"Question.objects.create(question_text='q1', pub_date=timezone.now()).choice_set.create(choice_text='c1')"},
	} {
		cmd := exec.Command(fwPython, args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%v: %s", args, out)
	}
}

// driveDjangoEdits applies a user's edits one by one, reloading the polls
// package after each, and checks what the running server serves.
func driveDjangoEdits(t *testing.T, root string, port int) {
	reload := fwReloader(t, root, "polls")
	expect := func(path string, code int, want string) {
		t.Helper()
		gotCode, gotBody := fwRequest(t, port, "GET", path, "")
		assert.Equal(t, code, gotCode, "GET %s: %s", path, gotBody)
		if want != "" {
			assert.Contains(t, gotBody, want, "GET %s", path)
		}
	}
	expect("/polls/", 200, "index v1 hello v1")

	fwEdit(t, root, "polls/views.py", `"index v1 "`, `"index v2 "`)
	reload("view body", 0)
	expect("/polls/", 200, "index v2 hello v1")

	fwEdit(t, root, "polls/helpers.py", `"hello v1"`, `"hello v2"`)
	reload("helper", 0)
	expect("/polls/", 200, "index v2 hello v2")
	expect("/polls/visits/", 200, "3") // module state kept

	expect("/polls/about/", 404, "")
	fwEdit(t, root, "polls/views.py", "", "\n\ndef about(request):\n    return HttpResponse(\"about v1\")\n")
	fwEdit(t, root, "polls/urls.py", `    path("visits/"`, "    path(\"about/\", views.about, name=\"about\"),\n    path(\"visits/\"")
	reload("new URL pattern", 0)
	expect("/polls/about/", 200, "about v1")

	expect("/polls/page/", 200, "WORLD v1")
	fwEdit(t, root, "polls/templatetags/poll_extras.py", `" v1"`, `" v2"`)
	reload("template filter", 0)
	expect("/polls/page/", 200, "WORLD v2")

	expect("/polls/1/", 200, "detail v1 q1 recent v1 1")
	fwEdit(t, root, "polls/models.py", `"recent v1"`, `"recent v2"`)
	res := reload("model method", 0)
	assert.NotContains(t, res.Stdout+res.Stderr, "already registered")
	expect("/polls/1/", 200, "detail v1 q1 recent v2 1")

	fwEdit(t, root, "polls/admin.py", `("question_text",)`, `("question_text", "pub_date")`)
	reload("admin options", 0)

	fwEdit(t, root, "polls/models.py", "    votes = models.IntegerField(default=0)\n",
		"    votes = models.IntegerField(default=0)\n    weight = models.IntegerField(default=1)\n")
	res = reload("model field", 1)
	assert.Contains(t, res.Stdout, "model `polls.Choice`: added `weight`")
	assert.Contains(t, res.Stdout, "python manage.py makemigrations polls")
	assert.Contains(t, res.Stdout, "restart-needed")
	assert.NotContains(t, res.Stdout+res.Stderr, "already registered")
	expect("/polls/1/", 200, "detail v1 q1 recent v2 1") // the old model serves on

	fwEdit(t, root, "polls/views.py", "def page(request):", "def page(request)")
	res = reload("syntax error", 2)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("/polls/", 200, "index v2 hello v2")
	expect("/polls/visits/", 200, "4")
}

// TestDjangoAppUnderRun: `pyreload run manage.py runserver --noreload`.
func TestDjangoAppUnderRun(t *testing.T) {
	needModules(t, "python3-django", "django")
	root := fwCopy(t, "django")
	djangoPrepare(t, root)
	port := fwFreePort(t)
	_, out := startRun(t, root, "manage.py", "runserver", "--noreload", "127.0.0.1:"+strconv.Itoa(port))
	driveDjangoEdits(t, root, fwServing(t, func() int { return port }, "/polls/visits/", out))
	assert.NotContains(t, out.String(), "already registered")
}

// TestDjangoAppUnderRunserverAndTheAgent: `manage.py runserver --noreload`
// started through the agent (python3 -m pyreload_agent --root ROOT manage.py ...).
func TestDjangoAppUnderRunserverAndTheAgent(t *testing.T) {
	needModules(t, "python3-django", "django")
	root := fwCopy(t, "django")
	djangoPrepare(t, root)
	port := fwFreePort(t)
	out := fwAgent(t, root, "manage.py", "runserver", "--noreload", "127.0.0.1:"+strconv.Itoa(port))
	driveDjangoEdits(t, root, fwServing(t, func() int { return port }, "/polls/visits/", out))
	assert.NotContains(t, out.String(), "already registered")
}
