# Throughput vs thieves per implementation, from bench/report.py's handover.dat:
# column 1 = thieves, then one column per implementation (items per second, millions).
set terminal pngcairo size 900,540 font ",11"
set output outfile
set title "Handover, no back-pressure: one owner pushes 1 Mi items, K thieves steal (2 cores: K >= 2 oversubscribes)"
set xlabel "thieves"
set ylabel "million items per second (median)"
set xtics 1
set key outside right
set grid ytics
columns = system("head -1 " . datafile . " | wc -w")
plot for [i=2:columns] datafile using 1:i with linespoints lw 2 pt (i - 1) ps 1.5 title columnhead(i)
