# Wake-to-run latency histograms from bench/report.py's latency-exact.dat and latency-mt.dat:
# column 1 = bucket (microseconds, log2), then one column per case and variant (wakes), 4 harts.
set terminal pngcairo size 1100,820 font ",10" noenhanced
set output outfile
set multiplot layout 2,1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.8:*]
set ylabel "wakes"
set xlabel "wake-to-run latency, us of guest time (log2 buckets)"
set key top right
set grid ytics
set xtics rotate by -35
set title "Exact lane (-icount: one clock for all harts, QEMU's round-robin turns), 4 harts"
columns = system("head -1 " . exact . " | wc -w")
plot for [i=2:columns] exact using i:xtic(1) title columnhead(i)
set title "Multi-threaded lane (a host thread per hart, 2 host cores), 4 harts, all boots"
columns = system("head -1 " . mt . " | wc -w")
plot for [i=2:columns] mt using i:xtic(1) title columnhead(i)
unset multiplot
