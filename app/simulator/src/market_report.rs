//! Per-market figures of a run: where the insurance sits, where the loss lands, what the
//! liquidators sold and what their sales did to the price.
//!
//! ```text
//! insurance start / end  = the market's fund at step 0 / the last step, USD at the market price
//! fees                   = protocol fees paid into the market's fund (the repay market's)
//! covered / socialised   = bad debt of the market's debt written off by its fund / its lenders
//! sold, peak impact      = seized collateral the bots sold there; the deepest move it caused
//! ```
use crate::metrics::StepRecord;
use crate::report::thousands;
use crate::scenario::Scenario;
use serde::Serialize;
use std::fmt::Write;

/// One market's figures.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct MarketSummary {
    /// Ticker.
    pub symbol: String,
    /// Insurance fund at the start, USD.
    pub insurance_start_usd: f64,
    /// Insurance fund at the end, USD.
    pub insurance_end_usd: f64,
    /// Liquidation fees into the fund, USD.
    pub fees_usd: f64,
    /// Bad debt the fund covered, USD.
    pub bad_debt_covered_usd: f64,
    /// Bad debt socialised to the market's lenders, USD.
    pub bad_debt_socialised_usd: f64,
    /// Seized collateral sold by the bots, USD.
    pub sold_usd: f64,
    /// Deepest price impact, % below the path.
    pub peak_impact_pct: f64,
}

/// Every market's figures from a run's series and each market's peak impact (a fraction).
pub fn markets(scenario: &Scenario, series: &[StepRecord], peak: &[f64]) -> Vec<MarketSummary> {
    let (first, last) = (&series[0], &series[series.len() - 1]);
    let sum =
        |m: usize, f: fn(&StepRecord) -> &Vec<f64>| -> f64 { series.iter().map(|r| f(r)[m]).sum() };
    scenario
        .markets
        .iter()
        .enumerate()
        .map(|(m, market)| MarketSummary {
            symbol: market.symbol.clone(),
            insurance_start_usd: first.insurance_usd[m],
            insurance_end_usd: last.insurance_usd[m],
            fees_usd: sum(m, |r| &r.fee_by_market_usd),
            bad_debt_covered_usd: sum(m, |r| &r.covered_by_market_usd),
            bad_debt_socialised_usd: sum(m, |r| &r.socialised_by_market_usd),
            sold_usd: sum(m, |r| &r.sold_usd),
            peak_impact_pct: peak[m] * 100.0,
        })
        .collect()
}

/// The per-market table.
pub fn table(markets: &[MarketSummary]) -> String {
    let usd = |v: f64| format!("${}", thousands(v));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:>14} {:>14} {:>12} {:>14} {:>14} {:>14} {:>8}",
        "market",
        "insurance start",
        "insurance end",
        "fees in",
        "debt covered",
        "socialised",
        "bots sold",
        "impact"
    );
    for m in markets {
        let _ = writeln!(
            out,
            "{:<8} {:>14} {:>14} {:>12} {:>14} {:>14} {:>14} {:>7.2}%",
            m.symbol,
            usd(m.insurance_start_usd),
            usd(m.insurance_end_usd),
            usd(m.fees_usd),
            usd(m.bad_debt_covered_usd),
            usd(m.bad_debt_socialised_usd),
            usd(m.sold_usd),
            m.peak_impact_pct
        );
    }
    out
}
