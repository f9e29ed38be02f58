#!/bin/sh
# launcher/bench/races.sh - does the headline race show?  Counts, over RUNS
# runs per mode, how often `counter -s none` and `-s naive-flag` at their
# defaults lose updates, alone and as rows of `shmsync all`, against the
# target of issue 13 (at least 19 of 20).  A measurement, not a test: it
# depends on how busy the machine is.  Prints a markdown table.
#
# usage: launcher/bench/races.sh [PROGRAM [RUNS]]    (run by run.sh, make bench)
set -u

prog=${1:-./shmsync}
runs=${2:-20}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# verdicts CSV GUARD MODE: the verdicts of the counter rows of GUARD in MODE.
verdicts() {
	awk -F, -v g="$2" -v m="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    (!("demo" in c) || $c["demo"] == "counter") && $c["sync"] == g &&
	    $c["mode"] == m { print $c["verdict"] }' "$1"
}

# Alone: RUNS runs of each guard in each mode.
for m in thread process; do
	for g in none naive-flag; do
		i=0
		while [ $i -lt "$runs" ]; do
			timeout 120 $prog counter -s $g -m $m -f csv > "$tmp/one.csv" 2>/dev/null
			verdicts "$tmp/one.csv" $g $m >> "$tmp/alone-$g-$m"
			i=$((i + 1))
		done
	done
done

# Inside all: RUNS runs of `all`, both modes each.
i=0
while [ $i -lt "$runs" ]; do
	timeout 600 $prog all -f csv > "$tmp/all.csv" 2>/dev/null
	for m in thread process; do
		for g in none naive-flag; do
			verdicts "$tmp/all.csv" $g $m >> "$tmp/all-$g-$m"
		done
	done
	i=$((i + 1))
done

echo "| command | mode | runs | raced | exact | target | verdict |"
echo "|---|---|---:|---:|---:|---|---|"
for w in alone all; do
	for g in none naive-flag; do
		for m in thread process; do
			f="$tmp/$w-$g-$m"
			n=$(wc -l < "$f")
			r=$(grep -c '^race$' "$f")
			want=$(( (runs * 19 + 19) / 20 ))
			[ "$r" -ge "$want" ] && v=held || v=missed
			[ "$n" -lt "$runs" ] && v="missed ($((runs - n)) runs gave no row)"
			if [ $w = alone ]; then c="counter -s $g"; else c="all (its counter $g row)"; fi
			echo "| \`$c\` | $m | $n | $r | $((n - r)) | >= $want of $runs | **$v** |"
		done
	done
done
