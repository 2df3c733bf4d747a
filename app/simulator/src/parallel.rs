//! Runs in parallel: each worker thread has its own runtime and its own embedded chain, takes the
//! next job from a shared counter, and the results come back in job order, so the output does not
//! depend on the number of threads.
use crate::engine::{run_paths, Progress, RunResult};
use crate::scenario::Scenario;
use crate::SimError;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One run: (scenario, population seed, path seed).
pub type Job<'a> = (&'a Scenario, u64, u64);

/// Threads to use by default: every core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run every job on `threads` threads; results in job order. `progress` hears every run's steps
/// (its `start` is the caller's: a run's own start is not passed on) and `run_done` after each
/// run, from the worker threads.
pub fn run_all(
    jobs: &[Job],
    csv_dir: &Path,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<RunResult>, SimError> {
    let steps = StepsOnly(progress);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunResult, SimError>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((scenario, population, path)) = jobs.get(i) else {
                        break;
                    };
                    let result =
                        runtime.block_on(run_paths(scenario, *population, *path, csv_dir, &steps));
                    let failed = result.is_err();
                    results.lock().expect("no worker panicked")[i] = Some(result);
                    progress.run_done();
                    if failed {
                        // the others finish their current run; no new one starts
                        next.store(jobs.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let results = results.into_inner().expect("no worker panicked");
    // the first failure is the error (runs after it were not started)
    if let Some(Some(Err(e))) = results.iter().find(|r| matches!(r, Some(Err(_)))) {
        return Err(e.clone());
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every run ran").expect("no run failed"))
        .collect())
}

/// A run's steps, passed on; its start, not (the total is known before the runs start).
struct StepsOnly<'a>(&'a dyn Progress);

impl Progress for StepsOnly<'_> {
    fn start(&self, _steps: usize) {}
    fn step(&self) {
        self.0.step();
    }
}

/// A progress that only calls `self.0` after each run.
pub struct OnRunDone<'a>(pub &'a (dyn Fn() + Sync));

impl Progress for OnRunDone<'_> {
    fn start(&self, _steps: usize) {}
    fn step(&self) {}
    fn run_done(&self) {
        (self.0)();
    }
}
