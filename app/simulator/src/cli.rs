//! `keel simulate`: the arguments and what the command prints and writes.
//!
//! One run writes `timeseries.csv`, `chart.svg` and `summary.json` into `--out`; `--runs N`
//! writes `runs.csv` (one row per run) and `runs.json` (every figure, what ran), as does a shard
//! (`--shard i/k`) for its slice and `keel simulate merge` for the shards it combines; `--sweep`
//! writes `sweep.csv`; `--frontier` writes `frontier.csv`, `frontier.svg`, `listing.toml` and
//! `scenario.toml`. `--bench` prints the machine's figures (tx/s, time, peak memory).
use crate::bench::{self, Bench};
use crate::engine::{run, Progress};
use crate::monte_carlo::{
    monte_carlo_paths, monte_carlo_table, sweep, sweep_csv, sweep_table, Sweep,
};
use crate::report::{csv, runs_csv};
use crate::scenario::{Scenario, SWEEPABLE};
use crate::shard::{RunsFile, Shard, RUNS_JSON};
use crate::{builtin, plot, SimError};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Run the risk simulator: the real program and liquidator on an embedded chain.
#[derive(Args, Debug, Clone)]
pub struct SimulateArgs {
    /// Scenario file (TOML); the built-in Black Thursday crash when absent.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Seed of the first run (prices, population, oracle misses, every key).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Runs over seeds seed, seed+1, ... (Monte Carlo over price paths).
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Sweep one parameter, as name=a..b (see --list-sweeps).
    #[arg(long, value_name = "NAME=A..B")]
    pub sweep: Option<String>,
    /// Values in a sweep.
    #[arg(long, default_value_t = 5)]
    pub sweep_points: usize,
    /// Override the number of traders.
    #[arg(long)]
    pub traders: Option<usize>,
    /// Directory for the CSV, chart and summary.
    #[arg(long, default_value = "sim-out", global = true)]
    pub out: PathBuf,
    /// Run only slice I of K of the --runs paths (0 <= I < K, as a Kubernetes completion index
    /// or a Slurm array task id from 0) and write its runs for `keel simulate merge`.
    #[arg(long, value_name = "I/K")]
    pub shard: Option<Shard>,
    /// Print the benchmark figures (transactions per second, run time, peak memory) instead of
    /// the report; the files are written as usual.
    #[arg(long)]
    pub bench: bool,
    /// `merge`: combine shards.
    #[command(subcommand)]
    pub command: Option<SimulateCommand>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the scenario (TOML) that would run, and stop.
    #[arg(long)]
    pub print_scenario: bool,
    /// List the parameters --sweep accepts, and stop.
    #[arg(long)]
    pub list_sweeps: bool,
    /// Worker threads for many runs (--runs, --frontier); every core by default. The results
    /// do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Search the parameter frontier (frontier.rs): per volatile market, the most
    /// capital-efficient weights whose p99 bad debt is within --budget-bps and covered by
    /// insurance; writes frontier.csv, frontier.svg, listing.toml and scenario.toml.
    #[arg(long)]
    pub frontier: bool,
    /// Run the stress table (stress.rs): the built-in crash, a fast crash, Pyth outages, a
    /// congested network and a thin market, at the scenario's weights and at the peers'; prints
    /// it and writes stress.json.
    #[arg(long)]
    pub stress: bool,
    /// Price paths per frontier point.
    #[arg(long, default_value_t = 20)]
    pub frontier_paths: usize,
    /// Frontier budget: tolerated p99 bad debt, bps of the traders' starting debt.
    #[arg(long, default_value_t = 10)]
    pub budget_bps: u32,
    /// Frontier coarse step of the weights, bps.
    #[arg(long, default_value_t = 500)]
    pub coarse_bps: u16,
    /// Frontier refinement resolution, bps.
    #[arg(long, default_value_t = 100)]
    pub fine_bps: u16,
}

/// What `keel simulate` does besides running.
#[derive(Subcommand, Debug, Clone)]
pub enum SimulateCommand {
    /// Combine the runs of shards (`--runs N --shard i/k`, one directory each) into the report
    /// of the whole Monte Carlo: the runs.csv, runs.json and table a single `--runs N` writes.
    Merge {
        /// The shards' --out directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
}

impl SimulateArgs {
    /// Worker threads to use.
    pub fn worker_threads(&self) -> usize {
        self.threads
            .unwrap_or_else(crate::parallel::default_threads)
            .max(1)
    }
}

/// A progress bar on stderr over steps (of every run, for many), with the runs done as its
/// message; hidden with --quiet, and by indicatif when stderr is not a terminal.
struct Bar(ProgressBar, AtomicUsize);

impl Progress for Bar {
    fn start(&self, steps: usize) {
        self.0.inc_length(steps as u64);
    }
    fn step(&self) {
        self.0.inc(1);
    }
    fn run_done(&self) {
        let runs = self.1.fetch_add(1, Ordering::Relaxed) + 1;
        self.0.set_message(format!("{runs} run(s) done"));
    }
}

fn bar(quiet: bool) -> Bar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(0), target);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} steps, eta {eta} {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    Bar(bar, AtomicUsize::new(0))
}

fn load(args: &SimulateArgs) -> Result<(Scenario, PathBuf), SimError> {
    let (mut scenario, dir) = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| SimError(format!("cannot read '{}': {e}", path.display())))?;
            let scenario = Scenario::from_toml(&text)
                .map_err(|e| SimError(format!("{}: {e}", path.display())))?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            (scenario, dir)
        }
        None => (builtin::black_thursday(), PathBuf::from(".")),
    };
    if let Some(n) = args.traders {
        scenario
            .set_param("traders", n as f64)
            .map_err(|e| SimError(e.0))?;
    }
    Ok((scenario, dir))
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, SimError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SimError(format!("cannot create '{}': {e}", dir.display())))?;
    let path = dir.join(name);
    std::fs::write(&path, text)
        .map_err(|e| SimError(format!("cannot write '{}': {e}", path.display())))?;
    Ok(path)
}

/// Write the runs of a Monte Carlo (or a shard, or a merge) to `dir`; the table or JSON to print.
fn runs_report(dir: &Path, file: &RunsFile, json: bool) -> Result<(String, PathBuf), SimError> {
    let table = runs_csv(&file.summaries).map_err(|e| SimError(e.to_string()))?;
    let path = write(dir, "runs.csv", &table)?;
    write(dir, RUNS_JSON, &file.to_json()?)?;
    if json {
        let text =
            serde_json::to_string_pretty(&file.summaries).map_err(|e| SimError(e.to_string()))?;
        return Ok((text, path));
    }
    let mut out = monte_carlo_table(&file.summaries);
    if file.shard != Shard::ALL {
        let _ = writeln!(
            out,
            "shard {}/{} of {} runs: combine the shards with keel simulate merge DIR...",
            file.shard.index, file.shard.count, file.runs
        );
    }
    Ok((out, path))
}

/// Run the command; returns what to print (text, or JSON with `json`).
pub async fn simulate(args: &SimulateArgs, json: bool) -> Result<String, SimError> {
    if let Some(SimulateCommand::Merge { dirs }) = &args.command {
        let merged = crate::shard::merge(dirs)?;
        let (mut out, path) = runs_report(&args.out, &merged, json)?;
        if !json {
            let _ = writeln!(
                out,
                "\nmerged {} shard(s); wrote {}",
                dirs.len(),
                path.display()
            );
        }
        return Ok(out);
    }
    if args.list_sweeps {
        let mut out = String::new();
        for (name, what) in SWEEPABLE {
            let _ = writeln!(out, "{name:<22} {what}");
        }
        return Ok(out);
    }
    let (scenario, csv_dir) = load(args)?;
    if args.print_scenario {
        return Ok(scenario.to_toml());
    }
    if args.runs == 0 {
        return Err(SimError("--runs must be at least 1".into()));
    }
    if args.seed.checked_add(args.runs as u64 - 1).is_none() {
        return Err(SimError(format!(
            "--seed {} --runs {}: the last path's seed would pass 2^64 - 1",
            args.seed, args.runs
        )));
    }
    if args.frontier || args.stress || args.sweep.is_some() {
        let what = if args.frontier {
            "--frontier"
        } else if args.stress {
            "--stress"
        } else {
            "--sweep"
        };
        if args.shard.is_some() {
            return Err(SimError(format!(
                "--shard slices a Monte Carlo (--runs); {what} cannot be sharded"
            )));
        }
        if args.bench {
            return Err(SimError(format!(
                "--bench measures a run or a Monte Carlo; not {what}"
            )));
        }
    }
    let progress = bar(args.quiet);
    if args.frontier {
        return crate::frontier_report::command(args, &scenario, &csv_dir, &progress.0).await;
    }
    if args.stress {
        let threads = args.worker_threads();
        let cells = crate::stress::stress(&scenario, args.seed, threads, &csv_dir, &progress)?;
        progress.0.finish_and_clear();
        let text = serde_json::to_string_pretty(&cells).map_err(|e| SimError(e.to_string()))?;
        let path = write(&args.out, "stress.json", &text)?;
        if json {
            return Ok(text);
        }
        return Ok(format!(
            "{}
wrote {}
",
            crate::stress::table(&cells),
            path.display()
        ));
    }
    let mut out = String::new();
    if let Some(spec) = &args.sweep {
        let parsed = Sweep::parse(spec, args.sweep_points)?;
        let points = sweep(
            &scenario,
            &parsed,
            (args.seed, args.runs, args.worker_threads()),
            &csv_dir,
            &progress,
        )?;
        progress.0.finish_and_clear();
        let table = sweep_csv(&parsed.name, &points).map_err(|e| SimError(e.to_string()))?;
        let path = write(&args.out, "sweep.csv", &table)?;
        if json {
            return serde_json::to_string_pretty(&points).map_err(|e| SimError(e.to_string()));
        }
        out.push_str(&sweep_table(&parsed.name, args.runs, &points));
        let _ = writeln!(out, "\nwrote {}", path.display());
        return Ok(out);
    }
    let started = std::time::Instant::now();
    if args.runs > 1 || args.shard.is_some() {
        let shard = args.shard.unwrap_or(Shard::ALL);
        let threads = args.worker_threads();
        let results = monte_carlo_paths(
            &scenario,
            args.seed,
            shard.paths(args.runs),
            threads,
            &csv_dir,
            &progress,
        )?;
        progress.0.finish_and_clear();
        let bench = Bench::of(&results, threads, started.elapsed().as_secs_f64());
        let summaries = results.into_iter().map(|r| r.summary).collect();
        let file = RunsFile::new(
            &scenario,
            &csv_dir,
            (args.seed, args.runs, shard),
            bench.build,
            summaries,
        )?;
        let (mut out, path) = runs_report(&args.out, &file, json && !args.bench)?;
        if args.bench {
            return bench::output(&bench, json);
        }
        if !json {
            let _ = writeln!(out, "\n{}", bench.line());
            let _ = writeln!(out, "wrote {} and {RUNS_JSON}", path.display());
        }
        return Ok(out);
    }
    let result = run(&scenario, args.seed, &csv_dir, &progress).await?;
    progress.0.finish_and_clear();
    let series = csv(&result.symbols, &result.series).map_err(|e| SimError(e.to_string()))?;
    let csv_path = write(&args.out, "timeseries.csv", &series)?;
    let title = format!("{} (seed {})", scenario.name, args.seed);
    let chart = plot::svg(&title, &result.symbols, &result.series).map_err(SimError)?;
    let chart_path = write(&args.out, "chart.svg", &chart)?;
    let summary_json =
        serde_json::to_string_pretty(&result.summary).map_err(|e| SimError(e.to_string()))?;
    let summary_path = write(&args.out, "summary.json", &summary_json)?;
    let bench = Bench::of(
        std::slice::from_ref(&result),
        1,
        started.elapsed().as_secs_f64(),
    );
    if args.bench {
        return bench::output(&bench, json);
    }
    if json {
        return Ok(summary_json);
    }
    out.push_str(&result.summary.table());
    let _ = writeln!(out, "\n{}", bench.line());
    let _ = writeln!(
        out,
        "wrote {}, {}, {}",
        csv_path.display(),
        chart_path.display(),
        summary_path.display()
    );
    Ok(out)
}
