# launcher/bench/grow.awk - run.sh's "How cost grows" tables from shmsync
# CSV (a header before each run's rows): with -v ws=LIST, a counter sweep
# pivoted to guard x mode by workers; without, queue runs as producers x
# consumers by mode.  A failed run shows its verdict, not a number.
function si(v) {
	if (v >= 1e6)
		return sprintf("%.1fM", v / 1e6)
	return v >= 1e3 ? sprintf("%.0fk", v / 1e3) : sprintf("%.0f", v)
}
$1 == "demo" { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	cellv = $c["verdict"] == "ok" ? si($c["ops_per_sec"]) : $c["verdict"]
	if (ws != "") {
		k = $c["sync"] " | " $c["mode"]
		cell[k, $c["workers"]] = cellv
	} else {
		k = $c["producers"] " x " $c["consumers"]
		cell[k, $c["mode"]] = cellv
	}
	if (!(k in seen)) { seen[k] = 1; order[++n] = k }
}
END {
	if (ws != "") {
		nw = split(ws, w, ",")
		printf "| guard | mode |"
		for (j = 1; j <= nw; j++)
			printf " %s |", w[j]
		printf "\n|---|---|"
		for (j = 1; j <= nw; j++)
			printf "---:|"
		print ""
	} else {
		nw = split("thread process", w, " ")
		print "| producers x consumers | threads | processes |\n|---|---:|---:|"
	}
	for (i = 1; i <= n; i++) {
		printf "| %s |", order[i]
		for (j = 1; j <= nw; j++)
			printf " %s |", (order[i], w[j]) in cell ? cell[order[i], w[j]] : "-"
		print ""
	}
}
