//! crossbeam-deque on workloads 1-3 of bench/host_bench.cpp, printed as Google Benchmark JSON with
//! one row per repetition, so that bench/report.py computes its medians exactly as for the others
//! and puts it in the same tables. Threads are started before the clock, behind a start flag, as
//! on the C++ side, and pinned to a core each while owner and thieves fit the cores; every item is
//! checked to come out once, by count and by sum. Handover runs in both regimes: free (the worker
//! grows) and bounded (the owner waits while 1024 items are in flight, the C++ side's policy).
//! Usage: crossbeam-peer REPETITIONS > crossbeam.json
use crossbeam_deque::{Steal, Worker};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

const HANDOVER_ITEMS: u64 = 1 << 20;
const TAIL_OPS: u64 = 1 << 19;
const PAIRS: u64 = 1 << 24;
const IN_FLIGHT: u64 = 1024; // handover_bounded's limit
const DRAIN_REPORT: u64 = 64; // thieves report their items in groups this large, as in C++

extern "C" {
    // glibc's; pid 0 is the calling thread.
    fn sched_setaffinity(pid: i32, cpusetsize: usize, mask: *const u64) -> i32;
    fn sched_getaffinity(pid: i32, cpusetsize: usize, mask: *mut u64) -> i32;
}

type CpuMask = [u64; 16]; // a 1024-bit cpu_set_t

// The affinity the process started with (main reads it before any thread is pinned): its CPUs are
// the cores the runs may use, as on the C++ side, so taskset and cpusets are honoured. Kept in
// atomics, not a OnceLock: Debian 12's rustc 1.63 predates it.
static START_MASK: [AtomicU64; 16] = [
    AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0),
    AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0),
    AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0),
    AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0),
];

fn read_start_affinity() {
    let mut mask: CpuMask = [0; 16];
    if unsafe { sched_getaffinity(0, std::mem::size_of_val(&mask), mask.as_mut_ptr()) } != 0 {
        panic!("crossbeam-peer: cannot read the thread's affinity");
    }
    for (w, m) in START_MASK.iter().zip(mask) {
        w.store(m, Ordering::Relaxed);
    }
}

fn start_mask() -> CpuMask {
    let mut mask: CpuMask = [0; 16];
    for (m, w) in mask.iter_mut().zip(START_MASK.iter()) {
        *m = w.load(Ordering::Relaxed);
    }
    mask
}

// The allowed CPUs, in order.
fn allowed() -> Vec<usize> {
    let mask = start_mask();
    (0..1024).filter(|&c| mask[c / 64] & (1 << (c % 64)) != 0).collect()
}

fn cores() -> usize {
    allowed().len()
}

// Pins the calling thread to the core-th allowed CPU, or (None) gives it back the affinity the
// process started with. A run labelled pinned must be pinned: a failure ends the program.
fn pin_to(core: Option<usize>) {
    let mut mask = start_mask();
    if let Some(k) = core {
        let c = allowed()[k];
        mask = [0; 16];
        mask[c / 64] |= 1 << (c % 64);
    }
    if unsafe { sched_setaffinity(0, std::mem::size_of_val(&mask), mask.as_ptr()) } != 0 {
        panic!("crossbeam-peer: cannot pin a thread to core {:?}", core);
    }
}

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

// Spawns `n` threads running `body` and returns once all of them wait on the start flag. While
// they and the calling thread fit the cores, thread k is pinned to core k + 1 and the caller to
// core 0 (undo with pin_to(None)).
fn start_behind_flag<F>(n: usize, go: &Arc<AtomicBool>, body: F) -> Vec<std::thread::JoinHandle<()>>
where
    F: Fn(usize) + Send + Sync + Clone + 'static,
{
    let pin = n + 1 <= cores();
    let ready = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..n)
        .map(|k| {
            let (go, ready, body) = (go.clone(), ready.clone(), body.clone());
            std::thread::spawn(move || {
                if pin {
                    pin_to(Some(k + 1));
                }
                ready.fetch_add(1, Ordering::Release);
                while !go.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                body(k);
            })
        })
        .collect();
    if pin {
        pin_to(Some(0));
    }
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
        // Keeps the loop (std::hint::black_box needs rustc 1.66; Debian 12 has 1.63).
        unsafe { std::ptr::read_volatile(&sum) };
        t.push(secs * 1e9 / PAIRS as f64);
        ips.push(PAIRS as f64 / secs);
    }
    (t, ips)
}

// crossbeam's worker grows: unbounded, it is the no-back-pressure regime (handover_free); bounded,
// the owner waits while IN_FLIGHT items are queued (handover_bounded).
fn handover(reps: usize, thieves: usize, bounded: bool) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut ips) = (vec![], vec![]);
    for _ in 0..reps {
        let w = Worker::new_fifo();
        let (go, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (taken, sum) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let drained = Arc::new(AtomicU64::new(0)); // bounded: items the thieves took so far
        let stealer = w.stealer();
        let handles = {
            let (done, taken, sum, drained) = (done.clone(), taken.clone(), sum.clone(), drained.clone());
            start_behind_flag(thieves, &go, move |_| {
                let (mut mine, mut my_sum, mut misses, mut unreported) = (0u64, 0u64, 0u32, 0u64);
                // Flow control, off the per-item path: in groups, and at once on finding it empty.
                let report = |unreported: &mut u64| {
                    if bounded && *unreported > 0 {
                        drained.fetch_add(*unreported, Ordering::Relaxed);
                    }
                    *unreported = 0;
                };
                while misses < 64 {
                    let got = stealer.steal();
                    if !matches!(got, Steal::Success(_)) {
                        report(&mut unreported);
                    }
                    match got {
                        Steal::Success(v) => {
                            mine += 1;
                            my_sum += v;
                            misses = 0;
                            unreported += 1;
                            if unreported == DRAIN_REPORT {
                                report(&mut unreported);
                            }
                        }
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
        let mut seen = 0u64; // drained, as last read
        for i in 1..=HANDOVER_ITEMS {
            // Relaxed: flow control only, read only at the limit, as on the C++ side.
            while bounded && i - 1 - seen >= IN_FLIGHT {
                seen = drained.load(Ordering::Relaxed);
                if i - 1 - seen >= IN_FLIGHT {
                    std::hint::spin_loop();
                }
            }
            w.push(i);
        }
        done.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        pin_to(None);
        assert_eq!(taken.load(Ordering::Relaxed), HANDOVER_ITEMS, "items were lost or duplicated");
        assert_eq!(sum.load(Ordering::Relaxed), HANDOVER_ITEMS * (HANDOVER_ITEMS + 1) / 2,
                   "items were lost or duplicated");
        t.push(secs * 1e9);
        ips.push(HANDOVER_ITEMS as f64 / secs);
    }
    (t, ips)
}

type TailRuns = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn contended_tail(reps: usize, thieves: usize) -> TailRuns {
    let (mut t, mut ips, mut success, mut stolen_rate, mut share) = (vec![], vec![], vec![], vec![], vec![]);
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
        pin_to(None);
        let stolen = steals.load(Ordering::Relaxed);
        assert_eq!(by_owner + stolen, TAIL_OPS, "items were lost or duplicated");
        assert_eq!(owner_sum + stolen_sum.load(Ordering::Relaxed), TAIL_OPS * (TAIL_OPS + 1) / 2,
                   "items were lost or duplicated");
        t.push(secs * 1e9);
        ips.push(TAIL_OPS as f64 / secs);
        success.push(stolen as f64 / (tries.load(Ordering::Relaxed).max(1)) as f64);
        stolen_rate.push(stolen as f64 / secs);
        share.push(stolen as f64 / TAIL_OPS as f64);
    }
    (t, ips, success, stolen_rate, share)
}

fn main() {
    let reps: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    read_start_affinity(); // before any pinning
    let mut out = vec![];
    for depth in [0u64, 16] {
        let (t, i) = owner_push_pop(reps, false, depth);
        emit(&mut out, &format!("owner_push_pop/crossbeam/depth:{depth}"), t, i, &[]);
        let (t, i) = owner_push_pop(reps, true, depth);
        emit(&mut out, &format!("owner_push_pop/crossbeam-lifo/depth:{depth}"), t, i, &[]);
    }
    for k in 1..=3 {
        let (t, i) = handover(reps, k, false);
        emit(&mut out, &format!("handover_free/crossbeam/thieves:{k}"), t, i, &[]);
        let (t, i) = handover(reps, k, true);
        emit(&mut out, &format!("handover_bounded/crossbeam/thieves:{k}"), t, i, &[]);
        let (t, i, s, r, sh) = contended_tail(reps, k);
        emit(&mut out, &format!("contended_tail/crossbeam/thieves:{k}"), t, i,
             &[("steal_success", s), ("stolen_per_s", r), ("stolen_share", sh)]);
    }
    println!("{{\"benchmarks\": [\n{}\n]}}", out.join(",\n"));
}
