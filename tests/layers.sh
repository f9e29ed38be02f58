#!/bin/sh
# layers.sh BUILD - the layers depend one way: ipc/ <- workers/ <- launcher/.
# Fails, naming the symbol and the object, when an object of a lower layer
# needs a symbol that only a higher layer defines (nm over the objects).
set -eu
build=${1:-build}
fail=0

defined() { nm --defined-only -g "$@" | awk 'NF == 3 { print $3 }' | sort -u; }

# check LAYER HIGHER...: LAYER's undefined symbols defined in a HIGHER layer.
check() {
	layer=$1
	shift
	above=$(for d in "$@"; do find "$build/$d" -name '*.o'; done)
	defined $above > "$build/.above"
	for o in "$build/$layer"/*.o; do
		nm -u "$o" | awk '{ print $NF }' | sort -u |
		    comm -12 - "$build/.above" | while read -r sym; do
			echo "layers: $o needs $sym, defined above it in $*"
		done
	done
}

out=$(check ipc workers launcher; check workers launcher)
rm -f "$build/.above"
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "layers: ipc/ <- workers/ <- launcher/: no call goes up"
