# launcher/bench/plots.gp - the SVG plots of BENCHMARKS.md, drawn by run.sh.
# Inputs in directory d (one whitespace-separated data file per series),
# outputs in directory o.  gnuplot -e "d='DIR'; o='OUT'" plots.gp
set terminal svg size 760,460 dynamic font "sans,12" noenhanced
set grid
set offsets graph 0.02, graph 0.06, 0, 0
set key outside right top
set logscale y

# ops/s vs workers, every guard, threads (solid) and processes (dashed).
set output o."/counter.svg"
set title "counter: ops/s vs workers (median), threads vs processes"
set xlabel "workers"
set ylabel "ops/s"
set logscale x 2
set xtics 2
plot for [g in "mutex sem spin atomic"] d."/c-".g."-thread.dat" using 1:2 \
	with linespoints lw 2 title g." thread", \
     for [g in "mutex sem spin atomic"] d."/c-".g."-process.dat" using 1:2 \
	with linespoints lw 2 dt 2 title g." process"

# Queue items/s by item size, 1 producer 1 consumer, processes.
set output o."/queue.svg"
set title "queue items/s, 1 producer 1 consumer, processes (median)"
unset logscale x
set offsets 0, 0, 0, 0
set xtics auto
set xlabel "item size (bytes)"
set ylabel "items/s"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot d."/queue.dat" using 2:xtic(1) title "shmsync mpmc", \
     "" using 3 title "mpmc batch 64", \
     "" using 4 title "shmsync spsc", \
     "" using 5 title "spsc batch 64", \
     "" using 6 title "pipe", \
     "" using 7 title "POSIX mq", \
     "" using 8 title "socketpair"

# Spawn: ns per worker vs N, shmsync against bare loops.
set output o."/spawn.svg"
set title "spawn: launch N workers to the start and reap them, per worker"
set style data linespoints
set offsets graph 0.02, graph 0.06, 0, 0
set logscale x 4
set xtics 4
set xlabel "workers (N)"
set ylabel "ns per worker"
plot d."/s-shmsync-process.dat" using 1:2 lw 2 title "shmsync processes", \
     d."/s-bare-process.dat" using 1:2 lw 2 dt 2 title "bare fork/exit/wait", \
     d."/s-shmsync-thread.dat" using 1:2 lw 2 title "shmsync threads", \
     d."/s-bare-thread.dat" using 1:2 lw 2 dt 2 title "bare pthread_create/join"
