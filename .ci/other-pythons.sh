#!/bin/bash
# Prints one CPython 3.8+ interpreter per minor version found on this machine,
# other than /usr/bin/python3's: the engine and the agent run in the user's
# own Python, so `make test-engine` runs their suites again under each.
set -u
main=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for minor in 8 9 10 11 12 13 14; do
	[ "3.$minor" = "$main" ] && continue
	for py in /usr/bin/python3.$minor /usr/local/bin/python3.$minor \
		$(ls -d "$HOME"/.pyenv/versions/3.$minor.*/bin/python3 2>/dev/null | sort -V -r); do
		if [ -x "$py" ] && "$py" -c 'import sys' >/dev/null 2>&1; then
			echo "$py"
			break
		fi
	done
done
