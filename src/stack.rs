//! Stack safety: no entry point overflows the caller's stack, however small.
//!
//! The engine's recursion is bounded by limits that are checked when a pack loads (an
//! expression's height, [`crate::expr::parse::MAX_HEIGHT`]; its nesting,
//! [`crate::expr::parse::MAX_DEPTH`]; JSON nesting, 128 levels; a script's call levels and
//! expression depth). Those bounds fix how much stack each stage can need; here that
//! amount is made available. Where the current thread has less left (a C host's or a
//! JVM's 1 MB thread, a small worker pool), the work runs on a fresh stack segment
//! allocated for it ([`stacker`]), and the thread's own stack is untouched. Where it has
//! enough, nothing happens but a comparison.

/// What loading, checking, reading or scoring may need on the calling thread at most.
pub(crate) const ENTRY: usize = 4 << 20;

/// What evaluating one expression of the tallest allowed height may need, per level.
const PER_LEVEL: usize = 2 << 10;

/// Runs `f` with at least `need` bytes of stack: on this thread's stack when it has that
/// much left, else on a new segment of twice that size.
pub(crate) fn with<T>(need: usize, f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(need, need.saturating_mul(2), f)
}

/// The stack an expression of `height` levels may need to evaluate.
pub(crate) fn for_height(height: usize) -> usize {
    (height + 16) * PER_LEVEL
}

/// How many records a run holds: the stack is made sure of once a run.
const RUN: usize = 256;

/// `f` of `0..n` in parallel and in order, stopping at a failure as `collect` does. With a
/// `need`, the indices are taken in runs, each run on a stack of at least `need` bytes, so
/// that a thread short of stack grows one segment a run (not one a script call); with
/// none, one index at a time.
pub(crate) fn try_map<T: Send, E: Send>(
    need: usize,
    n: usize,
    f: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    use rayon::prelude::*;
    if need == 0 {
        return (0..n).into_par_iter().map(&f).collect();
    }
    let runs: Vec<Vec<T>> = (0..n.div_ceil(RUN))
        .into_par_iter()
        .map(|r| with(need, || (r * RUN..((r + 1) * RUN).min(n)).map(&f).collect()))
        .collect::<Result<_, E>>()?;
    Ok(runs.into_iter().flatten().collect())
}
