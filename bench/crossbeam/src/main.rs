//! crossbeam-deque on workloads 1-3 of bench/host_bench.cpp, printed as Google Benchmark JSON
//! aggregates (median, stddev) so that bench/report.py puts it in the same tables.
//! Usage: crossbeam-peer REPETITIONS > crossbeam.json
use crossbeam_deque::{Steal, Worker};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

const HANDOVER_ITEMS: u64 = 1 << 20;
const TAIL_OPS: u64 = 1 << 19;
const PAIRS: u64 = 1 << 24;

fn median_stddev(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    (v[v.len() / 2], var.sqrt())
}

fn emit(out: &mut Vec<String>, name: &str, time_ns: Vec<f64>, ips: Vec<f64>, extra: &[(&str, Vec<f64>)]) {
    for (agg, pick) in [("median", 0usize), ("stddev", 1usize)] {
        let t = median_stddev(time_ns.clone());
        let i = median_stddev(ips.clone());
        let mut fields = vec![
            format!("\"name\": \"{name}_{agg}\""),
            format!("\"run_name\": \"{name}\""),
            "\"run_type\": \"aggregate\"".to_string(),
            format!("\"aggregate_name\": \"{agg}\""),
            format!("\"real_time\": {}", if pick == 0 { t.0 } else { t.1 }),
            "\"time_unit\": \"ns\"".to_string(),
            format!("\"items_per_second\": {}", if pick == 0 { i.0 } else { i.1 }),
        ];
        for (k, v) in extra {
            let s = median_stddev(v.clone());
            fields.push(format!("\"{k}\": {}", if pick == 0 { s.0 } else { s.1 }));
        }
        out.push(format!("{{{}}}", fields.join(", ")));
    }
}

fn owner_push_pop(reps: usize, lifo: bool) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut ips) = (vec![], vec![]);
    for _ in 0..reps {
        let w = if lifo { Worker::new_lifo() } else { Worker::new_fifo() };
        let start = Instant::now();
        let mut sum = 0u64;
        for i in 0..PAIRS {
            w.push(i + 1);
            sum = sum.wrapping_add(w.pop().unwrap_or(0));
        }
        let secs = start.elapsed().as_secs_f64();
        std::hint::black_box(sum);
        t.push(secs * 1e9 / PAIRS as f64);
        ips.push(PAIRS as f64 / secs);
    }
    (t, ips)
}

fn handover(reps: usize, thieves: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut ips) = (vec![], vec![]);
    for _ in 0..reps {
        let w = Worker::new_fifo();
        let done = Arc::new(AtomicBool::new(false));
        let taken = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let handles: Vec<_> = (0..thieves)
            .map(|_| {
                let (s, done, taken) = (w.stealer(), done.clone(), taken.clone());
                std::thread::spawn(move || {
                    let (mut mine, mut misses) = (0u64, 0u32);
                    while misses < 64 {
                        match s.steal() {
                            Steal::Success(_) => { mine += 1; misses = 0; }
                            Steal::Retry => {}
                            Steal::Empty => { if done.load(Ordering::Acquire) { misses += 1; } }
                        }
                    }
                    taken.fetch_add(mine, Ordering::Relaxed);
                })
            })
            .collect();
        for i in 1..=HANDOVER_ITEMS {
            w.push(i);
        }
        done.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(taken.load(Ordering::Relaxed), HANDOVER_ITEMS, "items were lost");
        t.push(secs * 1e9);
        ips.push(HANDOVER_ITEMS as f64 / secs);
    }
    (t, ips)
}

fn contended_tail(reps: usize, thieves: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut t, mut ips, mut success, mut stolen_rate) = (vec![], vec![], vec![], vec![]);
    for _ in 0..reps {
        let w = Worker::new_fifo();
        let done = Arc::new(AtomicBool::new(false));
        let (steals, tries) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let start = Instant::now();
        let handles: Vec<_> = (0..thieves)
            .map(|_| {
                let (s, done, steals, tries) = (w.stealer(), done.clone(), steals.clone(), tries.clone());
                std::thread::spawn(move || {
                    let (mut mine, mut n) = (0u64, 0u64);
                    while !done.load(Ordering::Acquire) {
                        n += 1;
                        if let Steal::Success(_) = s.steal() { mine += 1; }
                    }
                    steals.fetch_add(mine, Ordering::Relaxed);
                    tries.fetch_add(n, Ordering::Relaxed);
                })
            })
            .collect();
        let mut by_owner = 0u64;
        for i in 1..=TAIL_OPS {
            w.push(i);
            if w.pop().is_some() { by_owner += 1; }
        }
        while w.pop().is_some() { by_owner += 1; }
        done.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let stolen = steals.load(Ordering::Relaxed);
        assert_eq!(by_owner + stolen, TAIL_OPS, "items were lost or duplicated");
        t.push(secs * 1e9);
        ips.push(TAIL_OPS as f64 / secs);
        success.push(stolen as f64 / (tries.load(Ordering::Relaxed).max(1)) as f64);
        stolen_rate.push(stolen as f64 / secs);
    }
    (t, ips, success, stolen_rate)
}

fn main() {
    let reps: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let mut out = vec![];
    let (t, i) = owner_push_pop(reps, false);
    emit(&mut out, "owner_push_pop/crossbeam", t, i, &[]);
    let (t, i) = owner_push_pop(reps, true);
    emit(&mut out, "owner_push_pop/crossbeam-lifo", t, i, &[]);
    for k in 1..=3 {
        let (t, i) = handover(reps, k);
        emit(&mut out, &format!("handover_free/crossbeam/thieves:{k}"), t, i, &[]); // unbounded: no back-pressure
        let (t, i, s, r) = contended_tail(reps, k);
        emit(&mut out, &format!("contended_tail/crossbeam/thieves:{k}"), t, i,
             &[("steal_success", s), ("stolen_per_s", r)]);
    }
    println!("{{\"benchmarks\": [\n{}\n]}}", out.join(",\n"));
}
