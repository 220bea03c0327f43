#!/usr/bin/env bash
# pyreload demo: host a small web app, change its code while it runs (the
# app serves the new code and keeps its state), see what could not be updated
# in place, and watch a broken edit roll back.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

# PYRELOAD_BIN runs the demo with another binary (e.g. one pip installed).
if [ -n "${PYRELOAD_BIN:-}" ]; then
  bin=$PYRELOAD_BIN
else
  command -v go >/dev/null || { echo "demo: Go is required; put /usr/local/go/bin on PATH" >&2; exit 1; }
  make --no-print-directory build >/dev/null
  bin=$repo/bin/pyreload
fi

ws=$(mktemp -d /tmp/pyreload-demo.XXXXXX)
cp -r testdata/demo/workspace/. "$ws"
export DEMO_PORT_FILE=$ws/.port
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fetch() { /usr/bin/python3 -c 'import sys,urllib.request;print(urllib.request.urlopen(sys.argv[1],timeout=5).read().decode(),end="")' "http://127.0.0.1:$(cat "$DEMO_PORT_FILE")/"; }
reload() { echo "\$ pyreload reload $*"; set +e; (cd "$ws" && "$bin" reload "$@"); echo "(exit code $?)"; set -e; }

step "start the app in a hosted interpreter: pyreload run app.py"
(cd "$ws" && exec "$bin" run app.py) &
run_pid=$!
trap 'kill -INT $run_pid 2>/dev/null; wait $run_pid 2>/dev/null || true; rm -rf "$ws"' EXIT
for _ in $(seq 100); do [ -s "$DEMO_PORT_FILE" ] && break; sleep 0.1; done
fetch

step "edit shop/core.py while the app runs (v1 -> v2)"
sed -i 's/(v1)/(v2)/' "$ws/shop/core.py"
grep -n 'v2' "$ws/shop/core.py"

step "reload: the running app serves the new code and keeps its visits"
reload shop
fetch

step "an edit that cannot be applied in place is reported: a dataclass gains a field"
sed -i 's/^    path: str$/    path: str\n    agent: str = ""/' "$ws/shop/core.py"
reload shop
fetch

step "a broken edit is rolled back: the app keeps serving"
printf 'def greet(name):\n    return "broken" +\n' > "$ws/shop/core.py"
reload shop
fetch

step "done: the app kept its state (see the request counter) through every reload"
