#!/usr/bin/env bash
# Tests of the LSP-pyreload Sublime Text package with FAKE sublime,
# sublime_plugin and LSP.plugin modules (tests/fakes); Sublime Text itself
# cannot be installed here. The plugin is Python 3.8-compatible; the system
# python3 runs it.
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 tests/run.py
