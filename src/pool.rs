//! Threads of a call's own for packs with scripts.
//!
//! Reading and scoring run on the current rayon pool, shared by every caller of the
//! library (the C ABI's, Python's, a server's threads). rayon's workers finish the work
//! they hold before they take a newly injected job, so a call whose records each run a
//! script to its limits (a second each, say) would hold every worker for its whole run,
//! and a neighbour's one-millisecond call would wait that long. A call of a pack with
//! scripts therefore runs on a pool of its own, as many threads as the current pool has:
//! the operating system shares the cores between the calls, and one caller's scripts
//! never wait on another's. The pools are kept (one per call running at once) so that a
//! call costs no thread start but the first.

use std::sync::Mutex;

/// Idle pools, by their number of threads.
static IDLE: Mutex<Vec<(usize, rayon::ThreadPool)>> = Mutex::new(Vec::new());

/// Runs `f` on a pool of its own when `scripts` (the plan has scripts), else as it is.
pub(crate) fn for_scripts<T: Send>(scripts: bool, f: impl FnOnce() -> T + Send) -> T {
    if !scripts {
        return f();
    }
    let threads = rayon::current_num_threads().max(1);
    let idle = {
        let mut idle = IDLE.lock().unwrap_or_else(|p| p.into_inner());
        idle.iter()
            .position(|(n, _)| *n == threads)
            .map(|i| idle.swap_remove(i).1)
    };
    let pool = match idle {
        Some(p) => p,
        None => match rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(crate::WORKER_STACK)
            .thread_name(|i| format!("scorecard-scripts-{i}"))
            .build()
        {
            Ok(p) => p,
            // no threads to be had: the current pool, shared
            Err(_) => return f(),
        },
    };
    let out = pool.install(f);
    IDLE.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((threads, pool));
    out
}
