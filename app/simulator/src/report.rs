//! A run's summary, its table, and the time series (and a Monte Carlo's runs) as CSV.
//!
//! ```text
//! capital efficiency  = traders' debt / traders' collateral at the start (USD)
//! bad debt            = covered by insurance + socialised + shortfall still open at the end
//! max drawdown        = worst peak-to-trough fall of any market's true price
//! solvency restored   = time from the first step with an account liquidatable or underwater to
//!                       the first step after which there is none (None if never)
//! ```
use crate::market_report::MarketSummary;
use crate::metrics::StepRecord;
use crate::price_path::PricePaths;
use crate::scenario::Scenario;
pub use crate::series_csv::{csv, csv_text, runs_csv};
use crate::setup::OpeningBook;
use serde::Serialize;
use std::fmt::Write;

/// A run's figures (deterministic for a scenario and seed).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed of the price path and oracle.
    pub seed: u64,
    /// Seed of the population (traders and keys).
    pub population_seed: u64,
    /// Traders opened.
    pub traders: usize,
    /// Steps run.
    pub steps: usize,
    /// Worst peak-to-trough fall of any market, %.
    pub max_drawdown_pct: f64,
    /// Traders' collateral at the start, USD.
    pub start_collateral_usd: f64,
    /// Traders' debt at the start, USD.
    pub start_debt_usd: f64,
    /// Debt per dollar of collateral at the start.
    pub capital_efficiency: f64,
    /// Deleverage orders posted at the start.
    pub orders_posted: u64,
    /// Orders executed.
    pub orders_executed: u64,
    /// Debt they repaid, USD.
    pub order_repaid_usd: f64,
    /// What traders paid their executors above the debt repaid, USD.
    pub order_bonus_usd: f64,
    /// Traders who defended their position.
    pub defences: u64,
    /// What they repaid, USD.
    pub defended_usd: f64,
    /// Liquidations that landed.
    pub liquidations: u64,
    /// Attempts that lost a race.
    pub skipped: u64,
    /// Attempts that failed otherwise.
    pub failed: u64,
    /// Transactions the network dropped (each sent again).
    #[serde(default)]
    pub dropped: u64,
    /// The failures, counted by error.
    pub failure_reasons: std::collections::BTreeMap<String, u64>,
    /// Debt repaid by liquidators, USD.
    pub repaid_usd: f64,
    /// Bonus paid to liquidators (after the protocol's share), USD.
    pub bonus_usd: f64,
    /// Protocol share of bonuses, USD.
    pub protocol_fee_usd: f64,
    /// Insurance funds at the start, USD.
    pub insurance_start_usd: f64,
    /// Insurance funds at the end, USD.
    pub insurance_end_usd: f64,
    /// Bad debt covered by the insurance funds, USD.
    pub bad_debt_covered_usd: f64,
    /// Bad debt socialised to lenders, USD.
    pub bad_debt_socialised_usd: f64,
    /// Shortfall of underwater accounts still open at the end, USD.
    pub shortfall_end_usd: f64,
    /// Covered + socialised + open shortfall, USD.
    pub bad_debt_usd: f64,
    /// Lowest health factor any indebted account reached.
    pub lowest_health_factor: Option<f64>,
    /// Most accounts liquidatable at once.
    pub peak_liquidatable: usize,
    /// When the crash first pushed an account into liquidation, seconds from the start.
    pub first_stress_secs: Option<i64>,
    /// Seconds from then until no account was liquidatable or short at the end of a step (0:
    /// every step's liquidations cleared what it brought); None if not restored by the end.
    pub solvency_restored_after_secs: Option<i64>,
    /// Liquidations of accounts that were healthy at the path's prices: the cascade that the
    /// liquidators' own sales caused (depth.rs).
    pub cascade_liquidations: u64,
    /// Most accounts liquidatable at once only because of price impact.
    pub peak_cascade_accounts: usize,
    /// Seized collateral the bots sold, USD.
    pub sold_usd: f64,
    /// The bots' profit: their holdings' gain, marked at the last prices, USD.
    pub liquidator_pnl_usd: f64,
    /// Per market: insurance, fees, bad debt, sales and impact.
    pub markets: Vec<MarketSummary>,
}

impl Summary {
    /// Summarise a finished run.
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        paths: &PricePaths,
        book: &OpeningBook,
        series: &[StepRecord],
        insurance_start_usd: f64,
    ) -> Summary {
        let sum = |f: fn(&StepRecord) -> f64| series.iter().map(f).sum::<f64>();
        let last = series.last().expect("a run has rows");
        let max_drawdown_pct = paths
            .prices
            .iter()
            .map(|path| {
                let mut peak = f64::MIN;
                let mut worst = 0.0f64;
                for p in path {
                    peak = peak.max(*p);
                    worst = worst.max(1.0 - p / peak);
                }
                worst * 100.0
            })
            .fold(0.0, f64::max);
        // unhealthy: the market pushed an account under water or into liquidation, or one is
        // still liquidatable or short at the end of the step
        let hit = |r: &StepRecord| r.liquidatable_accounts > 0 || r.underwater_accounts > 0;
        let open = |r: &StepRecord| r.liquidatable_after > 0 || r.shortfall_usd > 0.0;
        let first = series.iter().position(hit);
        let last_unhealthy = series.iter().rposition(open);
        let solvency_restored_after_secs = match (first, last_unhealthy) {
            // nothing stressed, or each step's bots cleared what it brought within the step
            (None, _) | (Some(_), None) => Some(0),
            (Some(f), Some(l)) if l + 1 < series.len() => {
                Some((series[l + 1].time_secs - series[f].time_secs).max(0))
            }
            _ => None,
        };
        let covered = sum(|r| r.bad_debt_covered_usd);
        let socialised = sum(|r| r.bad_debt_socialised_usd);
        Summary {
            scenario: scenario.name.clone(),
            seed,
            population_seed: seed,
            traders: scenario.population.traders,
            steps: series.len() - 1,
            max_drawdown_pct,
            start_collateral_usd: book.collateral_usd,
            start_debt_usd: book.debt_usd,
            capital_efficiency: if book.collateral_usd > 0.0 {
                book.debt_usd / book.collateral_usd
            } else {
                0.0
            },
            orders_posted: book.orders,
            orders_executed: series.iter().map(|r| r.orders_executed).sum(),
            order_repaid_usd: sum(|r| r.order_repaid_usd),
            order_bonus_usd: sum(|r| r.order_bonus_usd),
            defences: series.iter().map(|r| r.defences).sum(),
            defended_usd: sum(|r| r.defended_usd),
            liquidations: series.iter().map(|r| r.liquidations).sum(),
            skipped: series.iter().map(|r| r.skipped).sum(),
            failed: series.iter().map(|r| r.failed).sum(),
            dropped: series.iter().map(|r| r.dropped).sum(),
            failure_reasons: Default::default(),
            repaid_usd: sum(|r| r.repaid_usd),
            bonus_usd: sum(|r| r.bonus_usd),
            protocol_fee_usd: sum(|r| r.fee_usd),
            insurance_start_usd,
            insurance_end_usd: last.insurance_fund_usd,
            bad_debt_covered_usd: covered,
            bad_debt_socialised_usd: socialised,
            shortfall_end_usd: last.shortfall_usd,
            bad_debt_usd: covered + socialised + last.shortfall_usd,
            lowest_health_factor: series
                .iter()
                .filter_map(|r| r.min_health_factor)
                .reduce(f64::min),
            peak_liquidatable: series
                .iter()
                .map(|r| r.liquidatable_accounts)
                .max()
                .unwrap_or(0),
            first_stress_secs: first.map(|f| series[f].time_secs),
            solvency_restored_after_secs,
            cascade_liquidations: series.iter().map(|r| r.cascade_liquidations).sum(),
            peak_cascade_accounts: series.iter().map(|r| r.cascade_accounts).max().unwrap_or(0),
            sold_usd: series.iter().map(|r| r.sold_usd.iter().sum::<f64>()).sum(),
            liquidator_pnl_usd: 0.0,
            markets: vec![],
        }
    }

    /// The summary as an aligned two-column table.
    pub fn table(&self) -> String {
        let usd = |v: f64| format!("${}", thousands(v));
        let mut rows: Vec<(&str, String)> = vec![
            (
                "scenario",
                format!("{} (seed {})", self.scenario, self.seed),
            ),
            (
                "traders / steps",
                format!("{} / {}", self.traders, self.steps),
            ),
            ("max drawdown", format!("{:.1}%", self.max_drawdown_pct)),
            (
                "collateral / debt at start",
                format!(
                    "{} / {}",
                    usd(self.start_collateral_usd),
                    usd(self.start_debt_usd)
                ),
            ),
            (
                "capital efficiency",
                format!("{:.3} debt per $ of collateral", self.capital_efficiency),
            ),
            (
                "positions defended by traders",
                format!("{} (repaid {})", self.defences, usd(self.defended_usd)),
            ),
            (
                "liquidations",
                format!(
                    "{} landed, {} lost races, {} failed, {} dropped by the network",
                    self.liquidations, self.skipped, self.failed, self.dropped
                ),
            ),
            (
                "failures by error",
                if self.failure_reasons.is_empty() {
                    "-".into()
                } else {
                    self.failure_reasons
                        .iter()
                        .map(|(e, n)| format!("{n} x {e}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            ),
            ("volume repaid", usd(self.repaid_usd)),
            ("bonus paid to liquidators", usd(self.bonus_usd)),
            ("protocol share of bonuses", usd(self.protocol_fee_usd)),
            (
                "insurance fund start / end",
                format!(
                    "{} / {}",
                    usd(self.insurance_start_usd),
                    usd(self.insurance_end_usd)
                ),
            ),
            (
                "bad debt covered by insurance",
                usd(self.bad_debt_covered_usd),
            ),
            ("bad debt socialised", usd(self.bad_debt_socialised_usd)),
            ("shortfall still open at end", usd(self.shortfall_end_usd)),
            ("bad debt, total", usd(self.bad_debt_usd)),
            (
                "liquidators' sales / their P&L",
                format!("{} / {}", usd(self.sold_usd), usd(self.liquidator_pnl_usd)),
            ),
            (
                "cascade (impact-caused)",
                format!(
                    "{} liquidations, peak {} accounts",
                    self.cascade_liquidations, self.peak_cascade_accounts
                ),
            ),
            (
                "lowest health factor",
                self.lowest_health_factor
                    .map_or("-".into(), |h| format!("{h:.4}")),
            ),
            (
                "peak liquidatable accounts",
                self.peak_liquidatable.to_string(),
            ),
            (
                "time to restore solvency",
                match (self.first_stress_secs, self.solvency_restored_after_secs) {
                    (None, _) => "never stressed".into(),
                    (Some(_), Some(0)) => "within each step".into(),
                    (Some(_), Some(s)) => format!("{}h {:02}m", s / 3_600, (s % 3_600) / 60),
                    (Some(_), None) => "not restored by the end".into(),
                },
            ),
        ];
        if self.orders_posted > 0 {
            let at = rows
                .iter()
                .position(|(k, _)| *k == "liquidations")
                .unwrap_or(rows.len());
            rows.insert(
                at,
                (
                    "deleverage orders",
                    format!(
                        "{} posted, {} executed (repaid {}, executors' bonus {})",
                        self.orders_posted,
                        self.orders_executed,
                        usd(self.order_repaid_usd),
                        usd(self.order_bonus_usd)
                    ),
                ),
            );
        }
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (k, v) in rows {
            let _ = writeln!(out, "{k:<width$}  {v}");
        }
        if !self.markets.is_empty() {
            out.push('\n');
            out.push_str(&crate::market_report::table(&self.markets));
        }
        out
    }
}

/// `v` rounded to a whole number with thousands separators.
pub fn thousands(v: f64) -> String {
    let negative = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if negative {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separates() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(1_234_567.6), "1,234,568");
        assert_eq!(thousands(-1_000.0), "-1,000");
        assert_eq!(thousands(999.0), "999");
    }
}
