//! `keel simulate --stress`: the scenario through its stress cases, at its own collateral weights
//! and at the peers' (docs/calibration.md has the sources):
//!
//! ```text
//! cases    built-in crash | fast crash (2025-10-10's shape) | Pyth outage, Switchboard up |
//!          Pyth outage, no second source | congested network | thin market
//! weights  shipped (the scenario's) | Kamino's range, low (7000/7500) and high (8000/8500) |
//!          Aave v3's ETH (8050/8300); on every volatile market, each capped at the most the
//!          program accepts with that market's bonus (Aave v4's rule), the gap kept
//! a cell   one run, population and path of `--seed`: bad debt, socialised, liquidations,
//!          capital efficiency
//! ```
use crate::engine::Progress;
use crate::network::Congestion;
use crate::oracle::SecondaryOracleScenario;
use crate::parallel::{run_all, Job};
use crate::scenario::{CrashProfile, Scenario};
use crate::SimError;
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// A stress case: a name and what it does to the scenario.
type Case = (&'static str, fn(&mut Scenario));

/// The stress cases, in table order.
pub const CASES: [Case; 6] = [
    ("built-in crash", |_| {}),
    ("fast crash (2025-10-10)", fast_crash),
    ("Pyth outage, Switchboard up", |s| pyth_outage(s, true)),
    ("Pyth outage, no second source", |s| pyth_outage(s, false)),
    ("congested network", congested),
    ("thin market (depth / 10)", thin_market),
];

/// Weight sets (name, initial, maintenance); `None`: the scenario's own.
pub const WEIGHTS: [(&str, Option<(u16, u16)>); 4] = [
    ("shipped", None),
    ("Kamino low 70/75", Some((7_000, 7_500))),
    ("Kamino high 80/85", Some((8_000, 8_500))),
    ("Aave v3 ETH 80.5/83", Some((8_050, 8_300))),
];

/// 2025-10-10: calm until 20:50 UTC, then SOL 220 -> 177 (-19.5%) in about half an hour, a
/// partial rebound (Kamino's risk report; BTC -14%, ETH -16 to -21% on the same evening). As
/// drawdown keyframes scaled by each market's beta (SOL 1.1, ETH 1.0, BTC 0.85): -18% at 21:20.
/// The network is congested through the fall as the built-in crash is through its steep leg.
fn fast_crash(s: &mut Scenario) {
    s.crash = CrashProfile {
        keyframes: vec![
            (0.0, 0.0),
            (20.83, 0.0),
            (21.0, -0.06),
            (21.33, -0.18),
            (21.5, -0.13),
            (22.0, -0.10),
            (24.0, -0.09),
        ],
    };
    for c in &mut s.network.congestion {
        (c.start_secs, c.end_secs) = (75_000, 82_800);
    }
}

/// Pyth publishes nothing from hour 11 to hour 14 (the steepest part of the built-in fall);
/// with `second`, a Switchboard pull feed on every market keeps liquidations going.
fn pyth_outage(s: &mut Scenario, second: bool) {
    s.oracle.outages = vec![(11 * 3_600, 14 * 3_600)];
    s.oracle.secondary = second.then(SecondaryOracleScenario::default);
}

/// Solana's spring-2024 congestion all day: three transactions in four dropped, and Keel's
/// liquidations win a hundredth of a block.
fn congested(s: &mut Scenario) {
    s.network.congestion = vec![Congestion {
        start_secs: 0,
        end_secs: s.duration_secs,
        block_share: 0.01,
        failure_rate: 0.75,
    }];
}

/// A tenth of the order-book depth: the bots' sales move prices ten times as far.
fn thin_market(s: &mut Scenario) {
    for m in &mut s.markets {
        if let Some(d) = &mut m.depth {
            d.usd /= 10.0;
        }
    }
}

/// `s` with every volatile market at `(init, maint)`, capped at what the program accepts.
fn with_weights(s: &Scenario, (init, maint): (u16, u16)) -> Scenario {
    let mut out = s.clone();
    for m in out.markets.iter_mut().filter(|m| !m.process.is_stable()) {
        let cut = maint.saturating_sub(m.max_maint_weight_bps());
        m.maint_weight_bps = maint - cut;
        m.init_weight_bps = init - cut.min(init);
    }
    out
}

/// One cell of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    /// The stress case.
    pub case: String,
    /// The weight set.
    pub weights: String,
    /// Initial / maintenance weights of each volatile market, e.g. "SOL 7000/7500".
    pub markets: String,
    /// Bad debt, USD.
    pub bad_debt_usd: f64,
    /// Of which socialised, USD.
    pub socialised_usd: f64,
    /// Liquidations landed.
    pub liquidations: u64,
    /// Transactions the network dropped.
    pub dropped: u64,
    /// Traders' debt per dollar of collateral at the start.
    pub capital_efficiency: f64,
}

/// Run every case at every weight set with `seed` on `threads` threads.
pub fn stress(
    base: &Scenario,
    seed: u64,
    threads: usize,
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<Cell>, SimError> {
    let mut scenarios = vec![];
    for (case, apply) in CASES {
        let mut s = base.clone();
        apply(&mut s);
        for (name, weights) in WEIGHTS {
            let s = weights.map_or_else(|| s.clone(), |w| with_weights(&s, w));
            s.validate().map_err(|e| SimError(format!("{case}: {e}")))?;
            scenarios.push((case, name, s));
        }
    }
    let jobs: Vec<Job> = scenarios.iter().map(|(_, _, s)| (s, seed, seed)).collect();
    progress.start(base.steps() * jobs.len());
    let results = run_all(&jobs, csv_dir, threads, progress)?;
    Ok(scenarios
        .iter()
        .zip(results)
        .map(|((case, weights, s), r)| Cell {
            case: case.to_string(),
            weights: weights.to_string(),
            markets: s
                .markets
                .iter()
                .filter(|m| !m.process.is_stable())
                .map(|m| format!("{} {}/{}", m.symbol, m.init_weight_bps, m.maint_weight_bps))
                .collect::<Vec<_>>()
                .join(", "),
            bad_debt_usd: r.summary.bad_debt_usd,
            socialised_usd: r.summary.bad_debt_socialised_usd,
            liquidations: r.summary.liquidations,
            dropped: r.summary.dropped,
            capital_efficiency: r.summary.capital_efficiency,
        })
        .collect())
}

/// The cells as a Markdown table (what the README quotes).
pub fn table(cells: &[Cell]) -> String {
    let mut out = String::from(
        "| case | weights | bad debt | socialised | liquidations (dropped) | capital efficiency |\n\
         |---|---|---:|---:|---:|---:|\n",
    );
    for c in cells {
        let _ = writeln!(
            out,
            "| {} | {} | ${:.0} | ${:.0} | {} ({}) | {:.3} |",
            c.case,
            c.weights,
            c.bad_debt_usd,
            c.socialised_usd,
            c.liquidations,
            c.dropped,
            c.capital_efficiency
        );
    }
    out.push_str("\nweights of each set:\n");
    let mut seen = std::collections::BTreeSet::new();
    for c in cells {
        if seen.insert(&c.weights) {
            let _ = writeln!(out, "  {:<22} {}", c.weights, c.markets);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_weights_are_capped_at_what_the_program_accepts_and_keep_their_gap() {
        let base = crate::builtin::black_thursday();
        let s = with_weights(&base, (8_000, 8_500));
        for m in s.markets.iter().filter(|m| !m.process.is_stable()) {
            let cap = keel::state::max_maint_asset_weight_bps(&m.bonus());
            assert_eq!(m.maint_weight_bps, 8_500.min(cap), "{}", m.symbol);
            assert_eq!(m.maint_weight_bps - m.init_weight_bps, 500, "{}", m.symbol);
        }
        // SOL's 10% max bonus caps it below 85%; the stable market is left alone
        assert!(s.markets[1].maint_weight_bps < 8_500);
        assert_eq!(s.markets[0], base.markets[0]);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn every_case_changes_what_it_names_and_validates() {
        let base = crate::builtin::black_thursday();
        let cases: Vec<Scenario> = CASES
            .iter()
            .map(|(_, apply)| {
                let mut s = base.clone();
                apply(&mut s);
                assert!(s.validate().is_ok());
                s
            })
            .collect();
        assert_eq!(cases[0], base);
        assert_ne!(cases[1].crash, base.crash);
        assert!(cases[2].oracle.secondary.is_some() && !cases[2].oracle.outages.is_empty());
        assert!(cases[3].oracle.secondary.is_none() && !cases[3].oracle.outages.is_empty());
        assert_eq!(cases[4].network.conditions(0), (0.01, 0.75));
        let depth = |s: &Scenario| s.markets[1].depth.as_ref().map(|d| d.usd);
        assert_eq!(depth(&cases[5]).unwrap() * 10.0, depth(&base).unwrap());
    }
}
