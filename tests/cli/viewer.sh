#!/usr/bin/env bash
# viewer.sh - load traces of counter, crash, rwlock, condition and queue,
# both modes, into speedscope (a real viewer, pinned in tests/viewer/) in
# headless Chromium, and fail on any warning or error it prints while
# importing them: a slice that ends while another is on top of its lane,
# one never closed, a file that does not import.  A trace broken as the
# old format was (a wait whose ts + dur overshoots the next ts in floating
# point) must be refused, or the test could not fail.  A screenshot of the
# crash trace is left in build/viewer/crash.png.
#
# usage: tests/cli/viewer.sh [./shmsync]   (make viewer)
# needs: node and npm, and Chromium (CHROMIUM, else /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-./shmsync}")
chromium=${CHROMIUM:-/usr/bin/chromium}
out=build/viewer
[ -x "$chromium" ] || { echo "viewer: no Chromium at $chromium (apt-get install chromium)" >&2; exit 1; }

# The viewer, as pinned by the lock file, into a directory git ignores.
mkdir -p "$out"
if ! cmp -s tests/viewer/package-lock.json "$out/package-lock.json" ||
    [ ! -d "$out/node_modules/speedscope" ]; then
	cp tests/viewer/package.json tests/viewer/package-lock.json "$out/"
	(cd "$out" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp tests/viewer/load.mjs "$out/"

traces=$(mktemp -d /tmp/shmsync-viewer.XXXXXX)
trap 'rm -rf "$traces"' EXIT
# Two at their defaults (the window and its gaps), the rest smaller: a
# minute in all.  The default sizes are checked in the Check suite.
while read -r demo mode args; do
	# crash ends in a failure on purpose (exit 1); anything else is a bug.
	rc=0
	# shellcheck disable=SC2086
	"$bin" "$demo" -m "$mode" $args -f csv --trace "$traces/$demo-$mode.json" \
	    >/dev/null 2>"$traces/err" || rc=$?
	if [ "$rc" -ne 0 ] && ! { [ "$demo" = crash ] && [ "$rc" -eq 1 ]; }; then
		echo "viewer: $demo -m $mode $args exited $rc" >&2
		cat "$traces/err" >&2
		exit 1
	fi
done <<'RUNS'
crash thread
crash process -n 2000
counter thread
counter process -n 5000
rwlock thread
rwlock process
condition thread -n 1000
condition process -n 1000
queue thread -n 5000
queue process -n 5000
RUNS

# The negative control first: the viewer must complain about it.
if (cd "$out" && node load.mjs "$chromium" "" "$OLDPWD/tests/viewer/broken.json"); then
	echo "viewer: the broken trace was drawn without a complaint: the test cannot fail" >&2
	exit 1
fi
cd "$out"
node load.mjs "$chromium" crash.png "$traces"/crash-thread.json \
    "$traces"/crash-process.json "$traces"/counter-*.json "$traces"/rwlock-*.json \
    "$traces"/condition-*.json "$traces"/queue-*.json
n=$(ls "$traces"/*.json | wc -l)
echo "viewer: $n passed, 0 failed"
