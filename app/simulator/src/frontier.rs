//! `keel simulate --frontier`: per volatile market, the most capital-efficient collateral weights
//! whose tail bad debt stays within a budget, found by simulation (every run is the real program
//! on the embedded chain), and written as a listing `keel migrate` applies.
//!
//! ```text
//! a point     = the scenario with market m's weights set to (init w, maint w + gap_m), where
//!               gap_m = the scenario's maint - init of m (the liquidation buffer is kept)
//! evaluation  = N runs: the population of `seed` on the price paths of seeds seed..seed+N
//! feasible    = p99(bad debt) <= budget_bps * start debt / 10^4        (nearest-rank p99)
//!               and p99(socialised bad debt) = 0                        (covered by insurance)
//! capital efficiency = traders' debt / collateral at the start (it rises with init weights)
//! search, one volatile market at a time, the others held at their choice so far:
//!   coarse:  from the scenario's weight, step `coarse_bps` up while feasible (or down until
//!            feasible), between MIN_INIT_BPS and the most the program accepts
//!   refine:  bisect between the last feasible and the first infeasible weight to `fine_bps`
//!   check:   the chosen weights of every market together, evaluated once more
//! ```
//! The search assumes bad debt does not fall as a weight rises (more leverage, less buffer);
//! where noise breaks that between grid points, the bisection still ends on an evaluated
//! feasible weight. Bonus, close factor and caps stay as the scenario sets them.
use crate::monte_carlo::stats;
use crate::parallel::{run_all, Job};
use crate::scenario::Scenario;
use crate::SimError;
use keel::state::max_maint_asset_weight_bps;
use serde::Serialize;
use std::path::Path;

/// The lowest initial weight the search tries, bps.
pub const MIN_INIT_BPS: u16 = 3_000;

/// How to search.
#[derive(Clone, Debug)]
pub struct FrontierOptions {
    /// Price paths per point.
    pub paths: usize,
    /// Population seed, and first path seed.
    pub seed: u64,
    /// Tolerated p99 bad debt, bps of the traders' starting debt.
    pub budget_bps: u32,
    /// Coarse step of the weights, bps.
    pub coarse_bps: u16,
    /// Resolution of the refinement, bps.
    pub fine_bps: u16,
    /// Worker threads.
    pub threads: usize,
}

/// One evaluated point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Market whose weights the point sets ("all" for the final check).
    pub market: String,
    /// Its initial collateral weight, bps.
    pub init_weight_bps: u16,
    /// Its maintenance collateral weight, bps.
    pub maint_weight_bps: u16,
    /// Traders' debt per dollar of collateral at the start.
    pub capital_efficiency: f64,
    /// Traders' debt at the start, USD.
    pub start_debt_usd: f64,
    /// Bad debt over the paths, USD: median, p95, p99.
    pub bad_debt_p50_usd: f64,
    /// p95 bad debt, USD.
    pub bad_debt_p95_usd: f64,
    /// p99 bad debt, USD.
    pub bad_debt_p99_usd: f64,
    /// p99 socialised bad debt, USD.
    pub socialised_p99_usd: f64,
    /// Within the budget and covered by insurance.
    pub feasible: bool,
    /// "coarse", "refine" or "check".
    pub stage: String,
}

/// The search's outcome.
#[derive(Clone, Debug)]
pub struct Frontier {
    /// Every point evaluated, in order.
    pub points: Vec<Point>,
    /// The scenario with the chosen weights.
    pub chosen: Scenario,
    /// Runs made.
    pub runs: usize,
}

struct Search<'a> {
    opts: &'a FrontierOptions,
    csv_dir: &'a Path,
    done: &'a (dyn Fn() + Sync),
    points: Vec<Point>,
    runs: usize,
}

impl Search<'_> {
    fn evaluate(
        &mut self,
        scenario: &Scenario,
        market: &str,
        stage: &str,
        weights: (u16, u16),
    ) -> Result<Point, SimError> {
        let jobs: Vec<Job> = (0..self.opts.paths as u64)
            .map(|i| (scenario, self.opts.seed, self.opts.seed + i))
            .collect();
        let results = run_all(&jobs, self.csv_dir, self.opts.threads, self.done)?;
        self.runs += results.len();
        let bad: Vec<f64> = results.iter().map(|r| r.summary.bad_debt_usd).collect();
        let social: Vec<f64> = results
            .iter()
            .map(|r| r.summary.bad_debt_socialised_usd)
            .collect();
        let first = &results[0].summary;
        let (b, s) = (stats(&bad), stats(&social));
        let budget = self.opts.budget_bps as f64 / 10_000.0 * first.start_debt_usd;
        let point = Point {
            market: market.to_string(),
            init_weight_bps: weights.0,
            maint_weight_bps: weights.1,
            capital_efficiency: first.capital_efficiency,
            start_debt_usd: first.start_debt_usd,
            bad_debt_p50_usd: b.p50,
            bad_debt_p95_usd: b.p95,
            bad_debt_p99_usd: b.p99,
            socialised_p99_usd: s.p99,
            feasible: b.p99 <= budget && s.p99 <= 0.0,
            stage: stage.to_string(),
        };
        self.points.push(point.clone());
        Ok(point)
    }
}

/// Market `m` of `s` with initial weight `init` and its maintenance weight `gap` above.
fn with_weight(s: &Scenario, m: usize, init: u16, gap: u16) -> Scenario {
    let mut out = s.clone();
    out.markets[m].init_weight_bps = init;
    out.markets[m].maint_weight_bps = init + gap;
    out
}

/// Search the frontier of `base` (see the module's formulas); `done` is called after each run.
pub fn search(
    base: &Scenario,
    opts: &FrontierOptions,
    csv_dir: &Path,
    done: &(dyn Fn() + Sync),
) -> Result<Frontier, SimError> {
    if opts.paths == 0 || opts.coarse_bps == 0 || opts.fine_bps == 0 {
        return Err(SimError(
            "frontier: paths and both steps must be positive".into(),
        ));
    }
    let mut search = Search {
        opts,
        csv_dir,
        done,
        points: vec![],
        runs: 0,
    };
    let mut current = base.clone();
    for m in 0..base.markets.len() {
        if base.markets[m].process.is_stable() {
            continue;
        }
        let market = &base.markets[m];
        let symbol = market.symbol.clone();
        let gap = market.maint_weight_bps - market.init_weight_bps;
        let bonus = keel::math::liquidation::BonusConfig {
            min_bonus_bps: market.min_bonus_bps,
            max_bonus_bps: market.max_bonus_bps,
            protocol_fee_bps: market.protocol_fee_bps,
        };
        let max_init = max_maint_asset_weight_bps(&bonus).saturating_sub(gap);
        let eval = |search: &mut Search, init: u16, stage: &str| {
            let s = with_weight(&current, m, init, gap);
            search.evaluate(&s, &symbol, stage, (init, init + gap))
        };
        // coarse: walk from the scenario's weight to the feasibility boundary
        let start = market.init_weight_bps.clamp(MIN_INIT_BPS, max_init);
        let (mut lo, mut hi): (Option<u16>, Option<u16>) = (None, None);
        let mut w = start;
        let up = eval(&mut search, w, "coarse")?.feasible;
        if up {
            lo = Some(w);
            while w < max_init {
                w = (w + opts.coarse_bps).min(max_init);
                if eval(&mut search, w, "coarse")?.feasible {
                    lo = Some(w);
                } else {
                    hi = Some(w);
                    break;
                }
            }
        } else {
            hi = Some(w);
            while w > MIN_INIT_BPS {
                w = w.saturating_sub(opts.coarse_bps).max(MIN_INIT_BPS);
                if eval(&mut search, w, "coarse")?.feasible {
                    lo = Some(w);
                    break;
                }
                hi = Some(w);
            }
        }
        let Some(mut lo) = lo else {
            return Err(SimError(format!(
                "frontier: no weight of {symbol} down to {MIN_INIT_BPS} bps keeps p99 bad debt \
                 within {} bps of debt and covered by insurance",
                opts.budget_bps
            )));
        };
        // refine: bisect to the fine step
        if let Some(mut hi) = hi {
            while hi - lo > opts.fine_bps {
                let mid = lo + ((hi - lo) / 2 / opts.fine_bps).max(1) * opts.fine_bps;
                if eval(&mut search, mid, "refine")?.feasible {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        current = with_weight(&current, m, lo, gap);
    }
    let all = current.clone();
    search.evaluate(&all, "all", "check", (0, 0))?;
    Ok(Frontier {
        points: search.points,
        chosen: current,
        runs: search.runs,
    })
}
