//! Many runs: Monte Carlo over price paths (`--runs N --seed S`: the population of seed S on the
//! paths of seeds S, S+1, ...), and sweeps of one parameter (`--sweep name=a..b`), each value run
//! over the same seeds.
//!
//! ```text
//! percentile p of n sorted values = value at rank ceil(p * n)  (nearest rank)
//! sweep values  = a + (b - a) * i / (points - 1),  i = 0..points
//! ```
use crate::engine::{Progress, RunResult};
use crate::parallel::{run_all, Job};
use crate::report::{csv_text, thousands, Summary};
use crate::scenario::Scenario;
use crate::SimError;
use serde::Serialize;
use std::fmt::Write;
use std::ops::Range;
use std::path::Path;

/// A distribution's figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// Figures of `values` (nearest-rank percentiles); all zero for none.
pub fn stats(values: &[f64]) -> Stats {
    if values.is_empty() {
        return Stats {
            mean: 0.0,
            p50: 0.0,
            p95: 0.0,
            p99: 0.0,
            max: 0.0,
        };
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Stats {
        mean: v.iter().sum::<f64>() / v.len() as f64,
        p50: rank(0.50),
        p95: rank(0.95),
        p99: rank(0.99),
        max: v[v.len() - 1],
    }
}

/// `runs` runs of `scenario`: the population of `seed` on the price paths of `seed..seed + runs`,
/// on `threads` threads (the paths in parallel; the results, in path order, do not depend on the
/// thread count). `progress` counts the steps of every run, and hears each run end.
pub fn monte_carlo(
    scenario: &Scenario,
    (seed, runs, threads): (u64, usize, usize),
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<RunResult>, SimError> {
    monte_carlo_paths(scenario, seed, 0..runs, threads, csv_dir, progress)
}

/// Of the Monte Carlo from `seed`, the paths `paths` (offsets from `seed`: a shard's slice), as
/// `monte_carlo` runs them.
pub fn monte_carlo_paths(
    scenario: &Scenario,
    seed: u64,
    paths: Range<usize>,
    threads: usize,
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<RunResult>, SimError> {
    let jobs: Vec<Job> = paths.map(|i| (scenario, seed, seed + i as u64)).collect();
    progress.start(jobs.len() * scenario.steps());
    run_all(&jobs, csv_dir, threads, progress)
}

/// The Monte Carlo table: bad debt and liquidations over the runs.
pub fn monte_carlo_table(summaries: &[Summary]) -> String {
    let pick = |f: fn(&Summary) -> f64| stats(&summaries.iter().map(f).collect::<Vec<_>>());
    let mut out = String::new();
    if summaries.is_empty() {
        let _ = writeln!(out, "0 runs (an empty slice)");
        return out;
    }
    let _ = writeln!(
        out,
        "{} runs, price paths of seeds {}..={}",
        summaries.len(),
        summaries.first().map_or(0, |s| s.seed),
        summaries.last().map_or(0, |s| s.seed)
    );
    let _ = writeln!(
        out,
        "{:<28} {:>14} {:>14} {:>14} {:>14} {:>14}",
        "", "mean", "p50", "p95", "p99", "max"
    );
    type Figure = fn(&Summary) -> f64;
    let rows: [(&str, Figure); 6] = [
        ("bad debt, total (USD)", |s| s.bad_debt_usd),
        ("  socialised (USD)", |s| s.bad_debt_socialised_usd),
        ("  covered by insurance (USD)", |s| s.bad_debt_covered_usd),
        ("liquidations", |s| s.liquidations as f64),
        ("bonus paid (USD)", |s| s.bonus_usd),
        ("max drawdown (%)", |s| s.max_drawdown_pct),
    ];
    for (name, f) in rows {
        let s = pick(f);
        let _ = writeln!(
            out,
            "{name:<28} {:>14} {:>14} {:>14} {:>14} {:>14}",
            thousands(s.mean),
            thousands(s.p50),
            thousands(s.p95),
            thousands(s.p99),
            thousands(s.max)
        );
    }
    out
}

/// A parsed `--sweep name=a..b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Parameter name (see `scenario::SWEEPABLE`).
    pub name: String,
    /// Values to run.
    pub values: Vec<f64>,
}

impl Sweep {
    /// Parse `name=a..b` into `points` evenly spaced values (a single value for `name=a`).
    pub fn parse(spec: &str, points: usize) -> Result<Sweep, SimError> {
        let bad = || {
            SimError(format!(
                "--sweep '{spec}': expected name=a..b, e.g. ltv=6000..8000"
            ))
        };
        let (name, range) = spec.split_once('=').ok_or_else(bad)?;
        let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let values = match range.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (number(a).ok_or_else(bad)?, number(b).ok_or_else(bad)?);
                if points < 2 {
                    return Err(SimError("--sweep-points must be at least 2".into()));
                }
                (0..points)
                    .map(|i| a + (b - a) * i as f64 / (points - 1) as f64)
                    .collect()
            }
            None => vec![number(range).ok_or_else(bad)?],
        };
        let mut probe = crate::builtin::black_thursday();
        if let Err(e) = probe.set_param(name.trim(), values[0]) {
            if e.0.starts_with("cannot sweep") {
                return Err(SimError(e.0));
            }
        }
        Ok(Sweep {
            name: name.trim().to_string(),
            values,
        })
    }
}

/// One value of a sweep: its runs' figures, or why the program would refuse it.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    /// The value.
    pub value: f64,
    /// Why the scenario is invalid at this value (e.g. a listing the program refuses).
    pub refused: Option<String>,
    /// Mean capital efficiency (debt per $ of collateral at the start).
    pub capital_efficiency: f64,
    /// Bad debt over the runs, USD.
    pub bad_debt: Stats,
    /// Mean liquidations.
    pub liquidations: f64,
    /// Mean bonus paid, USD.
    pub bonus_usd: f64,
}

/// Run `sweep` over `scenario`, `runs` seeds per value.
pub fn sweep(
    scenario: &Scenario,
    sweep: &Sweep,
    (seed, runs, threads): (u64, usize, usize),
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<SweepPoint>, SimError> {
    let mut out = vec![];
    for value in &sweep.values {
        let mut s = scenario.clone();
        if let Err(e) = s.set_param(&sweep.name, *value) {
            out.push(SweepPoint {
                value: *value,
                refused: Some(e.0),
                capital_efficiency: 0.0,
                bad_debt: stats(&[]),
                liquidations: 0.0,
                bonus_usd: 0.0,
            });
            continue;
        }
        let results = monte_carlo(&s, (seed, runs, threads), csv_dir, progress)?;
        let summaries: Vec<&Summary> = results.iter().map(|r| &r.summary).collect();
        let mean = |f: fn(&Summary) -> f64| {
            summaries.iter().map(|s| f(s)).sum::<f64>() / summaries.len() as f64
        };
        out.push(SweepPoint {
            value: *value,
            refused: None,
            capital_efficiency: mean(|s| s.capital_efficiency),
            bad_debt: stats(&summaries.iter().map(|s| s.bad_debt_usd).collect::<Vec<_>>()),
            liquidations: mean(|s| s.liquidations as f64),
            bonus_usd: mean(|s| s.bonus_usd),
        });
    }
    Ok(out)
}

/// One row per value of a sweep named `name`.
pub fn sweep_csv(name: &str, points: &[SweepPoint]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        name,
        "refused",
        "capital_efficiency",
        "bad_debt_mean_usd",
        "bad_debt_p95_usd",
        "bad_debt_p99_usd",
        "liquidations_mean",
        "bonus_mean_usd",
    ])?;
    for p in points {
        w.serialize((
            p.value,
            p.refused.clone().unwrap_or_default(),
            p.capital_efficiency,
            p.bad_debt.mean,
            p.bad_debt.p95,
            p.bad_debt.p99,
            p.liquidations,
            p.bonus_usd,
        ))?;
    }
    csv_text(w)
}

/// The sweep table: bad debt against capital efficiency for each value.
pub fn sweep_table(name: &str, runs: usize, points: &[SweepPoint]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "sweep of {name}, {runs} run(s) per value");
    let _ = writeln!(
        out,
        "{:>12} {:>11} {:>15} {:>15} {:>15} {:>13} {:>15}",
        name,
        "debt/coll.",
        "bad debt mean",
        "bad debt p95",
        "bad debt p99",
        "liquidations",
        "bonus paid"
    );
    for p in points {
        match &p.refused {
            Some(why) => {
                let _ = writeln!(out, "{:>12} refused: {why}", p.value);
            }
            None => {
                let _ = writeln!(
                    out,
                    "{:>12} {:>11.3} {:>15} {:>15} {:>15} {:>13.1} {:>15}",
                    p.value,
                    p.capital_efficiency,
                    thousands(p.bad_debt.mean),
                    thousands(p.bad_debt.p95),
                    thousands(p.bad_debt.p99),
                    p.liquidations,
                    thousands(p.bonus_usd)
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(|i| i as f64).collect();
        let s = stats(&v);
        assert_eq!((s.p50, s.p95, s.p99, s.max), (50.0, 95.0, 99.0, 100.0));
        assert!((s.mean - 50.5).abs() < 1e-12);
        assert_eq!(stats(&[3.0]).p99, 3.0);
    }

    #[test]
    fn sweep_specs() {
        let s = Sweep::parse("ltv=6000..8000", 3).unwrap();
        assert_eq!(s.values, vec![6000.0, 7000.0, 8000.0]);
        assert_eq!(Sweep::parse("reaction_ms=4", 5).unwrap().values, vec![4.0]);
        assert!(Sweep::parse("ltv", 3).is_err());
        assert!(Sweep::parse("colour=1..2", 3)
            .unwrap_err()
            .0
            .contains("sweepable"));
    }
}
