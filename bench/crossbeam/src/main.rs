//! crossbeam-deque on workloads 1-3 of bench/host_bench.cpp, printed as Google Benchmark JSON with
//! one row per repetition, so that bench/report.py computes its medians exactly as for the others
//! and puts it in the same tables. Threads are started before the clock, behind a start flag, as
//! on the C++ side; every item is checked to come out once, by count and by sum.
//! Usage: crossbeam-peer REPETITIONS > crossbeam.json
use crossbeam_deque::{Steal, Worker};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

const HANDOVER_ITEMS: u64 = 1 << 20;
const TAIL_OPS: u64 = 1 << 19;
const PAIRS: u64 = 1 << 24;

fn emit(out: &mut Vec<String>, name: &str, time_ns: Vec<f64>, ips: Vec<f64>, extra: &[(&str, Vec<f64>)]) {
    for (rep, (t, i)) in time_ns.iter().zip(ips.iter()).enumerate() {
        let mut fields = vec![
            format!("\"name\": \"{name}\""),
            format!("\"run_name\": \"{name}\""),
            "\"run_type\": \"iteration\"".to_string(),
            format!("\"repetition_index\": {rep}"),
            format!("\"real_time\": {t}"),
            "\"time_unit\": \"ns\"".to_string(),
            format!("\"items_per_second\": {i}"),
        ];
        for (k, v) in extra {
            fields.push(format!("\"{k}\": {}", v[rep]));
        }
        out.push(format!("{{{}}}", fields.join(", ")));
    }
}

// Spawns `n` threads running `body` and returns once all of them wait on the start flag.
fn start_behind_flag<F>(n: usize, go: &Arc<AtomicBool>, body: F) -> Vec<std::thread::JoinHandle<()>>
where
    F: Fn(usize) + Send + Sync + Clone + 'static,
{
    let ready = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..n)
        .map(|k| {
            let (go, ready, body) = (go.clone(), ready.clone(), body.clone());
            std::thread::spawn(move || {
                ready.fetch_add(1, Ordering::Release);
                while !go.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                body(k);
            })
        })
        .collect();
    while ready.load(Ordering::Acquire) < n as u64 {
        std::hint::spin_loop();
    }
    handles
}

fn owner_push_pop(reps: usize, lifo: bool, depth: u64) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut ips) = (vec![], vec![]);
    for _ in 0..reps {
        let w = if lifo { Worker::new_lifo() } else { Worker::new_fifo() };
        for i in 0..depth {
            w.push(i + 2);
        }
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

// crossbeam's worker grows: this is the no-back-pressure regime (handover_free).
fn handover(reps: usize, thieves: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut ips) = (vec![], vec![]);
    for _ in 0..reps {
        let w = Worker::new_fifo();
        let (go, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (taken, sum) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let stealer = w.stealer();
        let handles = {
            let (done, taken, sum) = (done.clone(), taken.clone(), sum.clone());
            start_behind_flag(thieves, &go, move |_| {
                let (mut mine, mut my_sum, mut misses) = (0u64, 0u64, 0u32);
                while misses < 64 {
                    match stealer.steal() {
                        Steal::Success(v) => { mine += 1; my_sum += v; misses = 0; }
                        Steal::Retry => {}
                        Steal::Empty => { if done.load(Ordering::Acquire) { misses += 1; } }
                    }
                }
                taken.fetch_add(mine, Ordering::Relaxed);
                sum.fetch_add(my_sum, Ordering::Relaxed);
            })
        };
        let start = Instant::now();
        go.store(true, Ordering::Release);
        for i in 1..=HANDOVER_ITEMS {
            w.push(i);
        }
        done.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(taken.load(Ordering::Relaxed), HANDOVER_ITEMS, "items were lost or duplicated");
        assert_eq!(sum.load(Ordering::Relaxed), HANDOVER_ITEMS * (HANDOVER_ITEMS + 1) / 2,
                   "items were lost or duplicated");
        t.push(secs * 1e9);
        ips.push(HANDOVER_ITEMS as f64 / secs);
    }
    (t, ips)
}

fn contended_tail(reps: usize, thieves: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut t, mut ips, mut success, mut stolen_rate) = (vec![], vec![], vec![], vec![]);
    for _ in 0..reps {
        let w = Worker::new_fifo();
        let (go, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (steals, tries, stolen_sum) =
            (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let stealer = w.stealer();
        let handles = {
            let (done, steals, tries, stolen_sum) =
                (done.clone(), steals.clone(), tries.clone(), stolen_sum.clone());
            start_behind_flag(thieves, &go, move |_| {
                let (mut mine, mut n, mut my_sum) = (0u64, 0u64, 0u64);
                while !done.load(Ordering::Acquire) {
                    n += 1;
                    if let Steal::Success(v) = stealer.steal() { mine += 1; my_sum += v; }
                }
                steals.fetch_add(mine, Ordering::Relaxed);
                tries.fetch_add(n, Ordering::Relaxed);
                stolen_sum.fetch_add(my_sum, Ordering::Relaxed);
            })
        };
        let start = Instant::now();
        go.store(true, Ordering::Release);
        let (mut by_owner, mut owner_sum) = (0u64, 0u64);
        for i in 1..=TAIL_OPS {
            w.push(i);
            if let Some(v) = w.pop() { by_owner += 1; owner_sum += v; }
        }
        while let Some(v) = w.pop() { by_owner += 1; owner_sum += v; }
        done.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let stolen = steals.load(Ordering::Relaxed);
        assert_eq!(by_owner + stolen, TAIL_OPS, "items were lost or duplicated");
        assert_eq!(owner_sum + stolen_sum.load(Ordering::Relaxed), TAIL_OPS * (TAIL_OPS + 1) / 2,
                   "items were lost or duplicated");
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
    for depth in [0u64, 16] {
        let (t, i) = owner_push_pop(reps, false, depth);
        emit(&mut out, &format!("owner_push_pop/crossbeam/depth:{depth}"), t, i, &[]);
        let (t, i) = owner_push_pop(reps, true, depth);
        emit(&mut out, &format!("owner_push_pop/crossbeam-lifo/depth:{depth}"), t, i, &[]);
    }
    for k in 1..=3 {
        let (t, i) = handover(reps, k);
        emit(&mut out, &format!("handover_free/crossbeam/thieves:{k}"), t, i, &[]); // unbounded: no back-pressure
        let (t, i, s, r) = contended_tail(reps, k);
        emit(&mut out, &format!("contended_tail/crossbeam/thieves:{k}"), t, i,
             &[("steal_success", s), ("stolen_per_s", r)]);
    }
    println!("{{\"benchmarks\": [\n{}\n]}}", out.join(",\n"));
}
