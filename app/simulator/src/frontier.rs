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
//! search:
//!   joint:   while the scenario is infeasible, lower every volatile market's weights by
//!            `coarse_bps` together (down to MIN_INIT_BPS): one market's losses cannot be cured
//!            by another's weights, so the ascent must start from a point feasible for all
//!   ascent:  one volatile market at a time, the others held at their choice so far: step
//!            `coarse_bps` up while feasible (up to the most the program accepts), then bisect
//!            between the last feasible and the first infeasible weight to `fine_bps`
//!   check:   the chosen weights of every market together, evaluated once more; while that
//!            fails, every volatile market steps down `fine_bps` together
//! ```
//! The search assumes bad debt does not fall as a weight rises (more leverage, less buffer);
//! where noise breaks that between grid points, the bisection still ends on an evaluated
//! feasible weight, and the check evaluates the final combination. Bonus, close factor and caps
//! stay as the scenario sets them.
use crate::monte_carlo::stats;
use crate::parallel::{run_all, Job};
use crate::scenario::Scenario;
use crate::SimError;
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
        let results = run_all(
            &jobs,
            self.csv_dir,
            self.opts.threads,
            &crate::parallel::OnRunDone(self.done),
        )?;
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

/// A volatile market's search bounds: its maint - init gap and the highest init weight the
/// program accepts with that gap and its bonus.
fn bounds(s: &Scenario, m: usize) -> (u16, u16) {
    let market = &s.markets[m];
    let gap = market
        .maint_weight_bps
        .saturating_sub(market.init_weight_bps);
    (gap, market.max_maint_weight_bps().saturating_sub(gap))
}

/// Search the frontier of `base` (see the module's formulas); `done` is called after each run,
/// `point` after each evaluation.
pub fn search(
    base: &Scenario,
    opts: &FrontierOptions,
    csv_dir: &Path,
    done: &(dyn Fn() + Sync),
    point: &dyn Fn(&Point),
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
    let volatile: Vec<usize> = (0..base.markets.len())
        .filter(|m| !base.markets[*m].process.is_stable())
        .collect();
    // joint: lower every volatile market together until the whole scenario is feasible
    let mut start = base.clone();
    for &m in &volatile {
        let (gap, max_init) = bounds(base, m);
        // a base whose gap leaves less than the floor keeps its own weight (no panic: issue 27's
        // tighter bound made such a base possible)
        let init = base.markets[m]
            .init_weight_bps
            .clamp(MIN_INIT_BPS.min(max_init), max_init);
        start = with_weight(&start, m, init, gap);
    }
    let mut current = lower_until_feasible(
        &mut search,
        point,
        (base, start, &volatile),
        (opts.coarse_bps, "joint"),
    )?;
    // ascent: one market at a time, up while feasible, then bisect
    for &m in &volatile {
        let symbol = base.markets[m].symbol.clone();
        let (gap, max_init) = bounds(base, m);
        let eval = |search: &mut Search, s: &Scenario, init: u16, stage: &str| {
            let p = search.evaluate(
                &with_weight(s, m, init, gap),
                &symbol,
                stage,
                (init, init + gap),
            )?;
            point(&p);
            Ok::<bool, SimError>(p.feasible)
        };
        let mut lo = current.markets[m].init_weight_bps;
        let mut hi = None;
        while lo < max_init {
            let w = (lo + opts.coarse_bps).min(max_init);
            if eval(&mut search, &current, w, "coarse")? {
                lo = w;
            } else {
                hi = Some(w);
                break;
            }
        }
        if let Some(mut hi) = hi {
            while hi - lo > opts.fine_bps {
                let mid = lo + ((hi - lo) / 2 / opts.fine_bps).max(1) * opts.fine_bps;
                if eval(&mut search, &current, mid, "refine")? {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        current = with_weight(&current, m, lo, gap);
    }
    // check: the combination; where the markets' losses add up past the budget, back every
    // market off by `fine_bps` together until it holds (the joint point above bounds this)
    let current = lower_until_feasible(
        &mut search,
        point,
        (base, current, &volatile),
        (opts.fine_bps, "check"),
    )?;
    Ok(Frontier {
        points: search.points,
        chosen: current,
        runs: search.runs,
    })
}

/// Evaluate `current` (stage `stage`); while it is infeasible, lower every volatile market's
/// weights by `step` together (not below MIN_INIT_BPS) and evaluate again. Fails once every
/// market is at the minimum and the scenario is still infeasible.
fn lower_until_feasible(
    search: &mut Search,
    point: &dyn Fn(&Point),
    (base, mut current, volatile): (&Scenario, Scenario, &[usize]),
    (step, stage): (u16, &str),
) -> Result<Scenario, SimError> {
    loop {
        let p = search.evaluate(&current, "all", stage, (0, 0))?;
        point(&p);
        if p.feasible {
            return Ok(current);
        }
        if volatile
            .iter()
            .all(|m| current.markets[*m].init_weight_bps <= MIN_INIT_BPS)
        {
            return Err(SimError(format!(
                "frontier ({stage}): even at {MIN_INIT_BPS} bps initial weight everywhere, p99 \
                 bad debt is not within {} bps of debt and covered by insurance",
                search.opts.budget_bps
            )));
        }
        for &m in volatile {
            let (gap, _) = bounds(base, m);
            let w = current.markets[m]
                .init_weight_bps
                .saturating_sub(step)
                .max(MIN_INIT_BPS);
            current = with_weight(&current, m, w, gap);
        }
    }
}
