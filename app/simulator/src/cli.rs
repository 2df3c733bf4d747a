//! `keel simulate`: the arguments and what the command prints and writes.
//!
//! One run writes `timeseries.csv`, `chart.svg` and `summary.json` into `--out`; `--runs N`
//! writes `runs.csv` (one row per run); `--sweep` writes `sweep.csv`; `--frontier` writes
//! `frontier.csv`, `frontier.svg`, `listing.toml` and `scenario.toml`.
use crate::engine::{run, Progress, RunResult};
use crate::monte_carlo::{monte_carlo, monte_carlo_table, sweep, sweep_csv, sweep_table, Sweep};
use crate::report::{csv, runs_csv, Summary};
use crate::scenario::{Scenario, SWEEPABLE};
use crate::{builtin, plot, SimError};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write;
use std::path::{Path, PathBuf};

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
    #[arg(long, default_value = "sim-out")]
    pub out: PathBuf,
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

impl SimulateArgs {
    /// Worker threads to use.
    pub fn worker_threads(&self) -> usize {
        self.threads
            .unwrap_or_else(crate::parallel::default_threads)
            .max(1)
    }
}

/// A progress bar on stderr (hidden when quiet or not a terminal).
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, steps: usize) {
        self.0.inc_length(steps as u64);
    }
    fn step(&self) {
        self.0.inc(1);
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
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len}, eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    Bar(bar)
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

fn machine_line(results: &[RunResult]) -> String {
    let txs: u64 = results.iter().map(|r| r.stats.transactions).sum();
    let wall: f64 = results.iter().map(|r| r.stats.wall_secs).sum();
    let setup: f64 = results.iter().map(|r| r.stats.setup_secs).sum();
    let build = if results.first().is_some_and(|r| r.stats.sbf) {
        "SBF"
    } else {
        "native"
    };
    let setup_txs: u64 = results.iter().map(|r| r.stats.setup_transactions).sum();
    format!(
        "embedded chain ({build} build): {txs} transactions in {wall:.1} s ({:.0} tx/s with every \
         account read each step); set-up {setup_txs} transactions in {setup:.1} s ({:.0} tx/s)",
        txs as f64 / wall.max(1e-9),
        setup_txs as f64 / setup.max(1e-9)
    )
}

/// Run the command; returns what to print (text, or JSON with `json`).
pub async fn simulate(args: &SimulateArgs, json: bool) -> Result<String, SimError> {
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
    let progress = bar(args.quiet);
    if args.frontier {
        return crate::frontier_report::command(args, &scenario, &csv_dir, &progress.0).await;
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
    if args.runs > 1 {
        let results = monte_carlo(
            &scenario,
            (args.seed, args.runs, args.worker_threads()),
            &csv_dir,
            &progress,
        )?;
        progress.0.finish_and_clear();
        let summaries: Vec<Summary> = results.iter().map(|r| r.summary.clone()).collect();
        let table = runs_csv(&summaries).map_err(|e| SimError(e.to_string()))?;
        let path = write(&args.out, "runs.csv", &table)?;
        if json {
            return serde_json::to_string_pretty(&summaries).map_err(|e| SimError(e.to_string()));
        }
        out.push_str(&monte_carlo_table(&summaries));
        let _ = writeln!(out, "\n{}", machine_line(&results));
        let _ = writeln!(out, "wrote {}", path.display());
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
    if json {
        return Ok(summary_json);
    }
    out.push_str(&result.summary.table());
    let _ = writeln!(out, "\n{}", machine_line(std::slice::from_ref(&result)));
    let _ = writeln!(
        out,
        "wrote {}, {}, {}",
        csv_path.display(),
        chart_path.display(),
        summary_path.display()
    );
    Ok(out)
}
