#!/usr/bin/env bash
# orphans.sh - no copy of the launcher outlives it (issue 10).
#
# Under CPU load, start a sweep, all or bench in process mode (with
# --inject kill where the command takes it), send SIGTERM, SIGINT or SIGHUP
# after a random 0-300 ms, and check that
#   - the launcher dies of that signal (status 128+N),
#   - after a short grace no process runs the binary (found by
#     /proc/PID/exe, not by name: workers retitle themselves),
#   - no *shmsync* name it or its descendants made is left in /dev/shm.
# The signal goes to the launcher alone (pid), to its process group
# (group: kill -SIG -- -PGID, as a terminal's job control does), or to the
# group of a launcher run on a terminal (tty: under script(1), stdout and
# stderr a pty, the launcher the session's foreground job).
#
#   tests/cli/orphans.sh [BINARY]         default ./shmsync
#   TRIALS=300 LOAD=4 DELIVERY=group tests/cli/orphans.sh
#
# TRIALS (40) trials, LOAD (2) busy loops, DELIVERY pid|group|tty|mix (mix),
# MAX_MS (300) the longest delay, GRACE_MS (2000) how long survivors get,
# SEED for $RANDOM (a failure prints the seed to replay).  Every trial is
# bounded (the launcher is SIGKILLed 20 s after the signal), so the script
# stops by itself.  The last line is "N passed, N failed"; exit 1 on any
# failure.  It cleans up after itself: busy loops, survivors and names.
set -u

BIN=$(readlink -f "${1:-./shmsync}") || { echo "orphans.sh: no binary" >&2; exit 2; }
[ -x "$BIN" ] || { echo "orphans.sh: $BIN is not executable" >&2; exit 2; }
TRIALS=${TRIALS:-40}
LOAD=${LOAD:-2}
DELIVERY=${DELIVERY:-mix}
MAX_MS=${MAX_MS:-300}
GRACE_MS=${GRACE_MS:-2000}
SEED=${SEED:-$$}
RANDOM=$SEED
OUT=$(mktemp -d "${TMPDIR:-/tmp}/orphans.XXXXXX")

# Process mode throughout; the sweep's --inject makes each run fail and
# linger (killed survivors), all and bench fork and reap all the time.
CMDS=(
	"sweep counter --workers 2,3,5,8,13 --repeat 100 -n 2000 -m process -s sem --inject kill@1:1000 -f csv"
	"sweep counter --workers 2,4,8 --repeat 100 -n 2000 -m process -s mutex --inject kill@1:1000 -f csv"
	"sweep queue --workers 1,2,4 --repeat 100 -m process --inject kill@0:50 -f csv"
	"all -m process -f csv"
	"all -m both -f csv"
	"bench --quick -r 3 --only counter,queue,spawn,pingpong --spawn-max 64 -f csv"
)
SIGS=(TERM INT HUP)
HOWS=(pid group)
command -v script >/dev/null && HOWS+=(tty)

loads=()
finished=0
cleanup() {
	local p
	# The loop's stderr is /dev/null (the shell's job notices): say if it died.
	[ "$finished" -eq 1 ] || echo "orphans.sh: stopped by an error in trial ${t:-0}" >&2
	for p in "${loads[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$OUT"
}
trap cleanup EXIT
stop=0
trap 'stop=1' INT TERM HUP	# finish the trial, then report

for ((i = 0; i < LOAD; i++)); do
	( trap - TERM; while :; do :; done ) &
	loads+=($!)
done

# Every process whose executable is the binary (a rebuild shows it
# "(deleted)"), as "pid ppid"; one find, no process per pid.
runners() {
	local exe p st
	find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname "$BIN" -o \
	    -lname "$BIN (deleted)" \) 2>/dev/null | while read -r exe; do
		p=${exe#/proc/}
		p=${p%/exe}
		read -r st <"/proc/$p/stat" 2>/dev/null || continue
		st=${st##*) }	# past the comm: "counter w3" has a space
		echo "$p ${st#* }" | cut -d' ' -f1,2
	done
}

# Add the pids running the binary now to $seen.
note() {
	local p
	for p in $(runners | cut -d' ' -f1); do
		case $seen in *" $p "*) ;; *) seen="$seen$p " ;; esac
	done
}

# The shmsync names in /dev/shm, one a line.
names() {
	ls /dev/shm 2>/dev/null | grep shmsync | sort
}

# A name's launcher pid: shmsync.PID.START... or sem.shmsync.PID.START...
name_pid() {
	local n=${1#sem.}
	n=${n#shmsync.}
	echo "${n%%.*}"
}

pass=0 fail=0
exec 3>&2	# the report; the shell's job notices ("Terminated") go nowhere
set -m	# each launcher in its own process group, SIGINT not ignored
for ((t = 1; t <= TRIALS && !stop; t++)); do
	cmd=${CMDS[RANDOM % ${#CMDS[@]}]}
	sig=${SIGS[RANDOM % ${#SIGS[@]}]}
	case $DELIVERY in
	pid|group|tty) how=$DELIVERY ;;
	*) how=${HOWS[RANDOM % ${#HOWS[@]}]} ;;
	esac
	ms=$((RANDOM % (MAX_MS + 1)))
	names >"$OUT/before"

	: >"$OUT/stderr"
	if [ "$how" = tty ]; then
		# A terminal's foreground job: script(1) gives it a pty as its
		# controlling terminal (stdout, stderr a tty), its own session
		# and process group, and reports its status as 128+N.
		rm -f "$OUT/pid"
		script -qec "echo \$\$ >$OUT/pid; exec $BIN $cmd" /dev/null \
		    </dev/null >"$OUT/stderr" 2>&1 &
		waited=$!
		# Its launcher: the shell that wrote its pid, once it has exec'd
		# the binary (10 s at most: the load may be heavy).
		pid=""
		for ((w = 0; w < 1000; w++)); do
			[ -s "$OUT/pid" ] && read -r pid <"$OUT/pid" &&
			    [ "$(readlink "/proc/$pid/exe")" = "$BIN" ] && break
			pid=""
			kill -0 "$waited" 2>/dev/null || break
			sleep 0.01
		done
		if [ -z "$pid" ]; then
			# Not the launcher's fault: say so, and signal nothing else.
			echo "FAIL trial $t: no launcher under script(1) within 10 s" >&3
			fail=$((fail + 1))
			kill -KILL "$waited" 2>/dev/null
			wait "$waited" 2>/dev/null
			continue
		fi
	else
		# shellcheck disable=SC2086
		"$BIN" $cmd >/dev/null 2>"$OUT/stderr" &
		pid=$! waited=$!
	fi
	seen=" $pid "	# every pid seen running the binary: the names' owners
	sleep "$(printf '0.%03d' "$ms")"
	note
	if [ "$how" != pid ]; then
		kill -"$sig" -- -"$pid" 2>/dev/null
	else
		kill -"$sig" "$pid" 2>/dev/null
	fi
	# Bounded: a launcher that ignores the signal is killed, and fails.
	for ((w = 0; w < 200; w++)); do
		note
		kill -0 "$waited" 2>/dev/null || break
		sleep 0.1
	done
	# (Only then: once reaped, the launcher's pid may be another's.)
	kill -0 "$waited" 2>/dev/null && kill -KILL "$pid" "$waited" 2>/dev/null
	wait "$waited" 2>/dev/null
	st=$?

	# The grace: survivors SIGKILLed by PR_SET_PDEATHSIG may take a moment.
	for ((w = 0; w * 100 < GRACE_MS; w++)); do
		left=$(runners)
		[ -z "$left" ] && break
		note
		sleep 0.1
	done
	# The new names made by the launcher or a process seen running the
	# binary: another program's (a test suite's) are not ours to judge.
	names >"$OUT/after"
	leaked=$(comm -13 "$OUT/before" "$OUT/after" | while read -r n; do
		case $seen in *" $(name_pid "$n") "*) echo "$n" ;; esac
	done)

	why=""
	want=$((128 + $(kill -l "$sig")))
	[ "$st" -eq "$want" ] || why="exit $st, want $want;"
	[ -n "$left" ] && why="$why survivors (pid ppid): $(echo $left);"
	[ -n "$leaked" ] && why="$why names left: $(echo $leaked);"
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL trial $t (seed $SEED): $cmd; SIG$sig to $how after $ms ms: $why" >&3
		[ -n "$left" ] && for p in $(echo "$left" | awk '{ print $1 }'); do
			echo "  $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&3
		done
		sed 's/^/  stderr: /' "$OUT/stderr" | head -5 >&3
		# Leave nothing behind for the next trial (a copy may fork more).
		w=0
		while [ -n "$left" ] && [ $((w += 1)) -le 20 ]; do
			echo "$left" | cut -d' ' -f1 | xargs -r kill -KILL 2>/dev/null
			sleep 0.1
			left=$(runners)
		done
		names >"$OUT/after"
		leaked=$(comm -13 "$OUT/before" "$OUT/after" | while read -r n; do
			case $seen in *" $(name_pid "$n") "*) echo "$n" ;; esac
		done)
		for n in $leaked; do
			rm -f "/dev/shm/$n"
		done
	fi
done 2>/dev/null
finished=1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$stop" -eq 0 ]
