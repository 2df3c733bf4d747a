//! The time series (one row per step) and a Monte Carlo's runs (one row per run) as CSV.
use crate::metrics::StepRecord;
use crate::report::Summary;

/// The per-market columns of the time series, each named `<name>_<SYMBOL>`.
type Column = fn(&StepRecord) -> &Vec<f64>;
const PER_MARKET: [(&str, Column); 6] = [
    ("insurance_usd", |r| &r.insurance_usd),
    ("fee_usd", |r| &r.fee_by_market_usd),
    ("covered_usd", |r| &r.covered_by_market_usd),
    ("socialised_usd", |r| &r.socialised_by_market_usd),
    ("sold_usd", |r| &r.sold_usd),
    ("impact_pct", |r| &r.impact_pct),
];

/// The time series as CSV: one row per step, prices per market symbol.
pub fn csv(symbols: &[String], series: &[StepRecord]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    let mut header = vec!["step".to_string(), "time_secs".to_string()];
    header.extend(symbols.iter().map(|s| format!("price_{s}")));
    header.extend(symbols.iter().map(|s| format!("oracle_{s}")));
    header.extend(
        [
            "collateral_usd",
            "debt_usd",
            "insurance_fund_usd",
            "defences",
            "defended_usd",
            "liquidations",
            "skipped",
            "failed",
            "repaid_usd",
            "bonus_usd",
            "fee_usd",
            "bad_debt_covered_usd",
            "bad_debt_socialised_usd",
            "bad_debt_cumulative_usd",
            "shortfall_usd",
            "liquidatable_before_bots",
            "underwater_before_bots",
            "min_health_factor_before_bots",
            "liquidatable_after_bots",
            "unpriced_accounts",
            "cascade_accounts",
            "cascade_liquidations",
        ]
        .map(String::from),
    );
    for (name, _) in PER_MARKET {
        header.extend(symbols.iter().map(|s| format!("{name}_{s}")));
    }
    // later columns come last, so a row still starts with the row of an older simulator
    header.extend(
        [
            "orders_executed",
            "order_repaid_usd",
            "order_bonus_usd",
            "dropped",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    let mut cumulative = 0.0;
    for r in series {
        cumulative += r.bad_debt_covered_usd + r.bad_debt_socialised_usd;
        let mut row = vec![r.step.to_string(), r.time_secs.to_string()];
        row.extend(r.prices.iter().map(|p| format!("{p:.6}")));
        row.extend(r.oracle_prices.iter().map(|p| format!("{p:.6}")));
        row.extend([
            format!("{:.2}", r.collateral_usd),
            format!("{:.2}", r.debt_usd),
            format!("{:.2}", r.insurance_fund_usd),
            r.defences.to_string(),
            format!("{:.2}", r.defended_usd),
            r.liquidations.to_string(),
            r.skipped.to_string(),
            r.failed.to_string(),
            format!("{:.2}", r.repaid_usd),
            format!("{:.2}", r.bonus_usd),
            format!("{:.2}", r.fee_usd),
            format!("{:.2}", r.bad_debt_covered_usd),
            format!("{:.2}", r.bad_debt_socialised_usd),
            format!("{cumulative:.2}"),
            format!("{:.2}", r.shortfall_usd),
            r.liquidatable_accounts.to_string(),
            r.underwater_accounts.to_string(),
            r.min_health_factor
                .map_or(String::new(), |h| format!("{h:.6}")),
            r.liquidatable_after.to_string(),
            r.unpriced_accounts.to_string(),
            r.cascade_accounts.to_string(),
            r.cascade_liquidations.to_string(),
        ]);
        for (_, column) in PER_MARKET {
            row.extend(column(r).iter().map(|v| format!("{v:.2}")));
        }
        row.extend([
            r.orders_executed.to_string(),
            format!("{:.2}", r.order_repaid_usd),
            format!("{:.2}", r.order_bonus_usd),
            r.dropped.to_string(),
        ]);
        w.write_record(&row)?;
    }
    csv_text(w)
}

/// The text a CSV writer over memory wrote.
pub fn csv_text(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("CSV of ASCII"))
}

/// One row per run of a Monte Carlo: its seed and figures.
pub fn runs_csv(summaries: &[Summary]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "seed",
        "bad_debt_usd",
        "bad_debt_socialised_usd",
        "bad_debt_covered_usd",
        "shortfall_end_usd",
        "liquidations",
        "failed",
        "repaid_usd",
        "bonus_usd",
        "lowest_health_factor",
        "max_drawdown_pct",
        "capital_efficiency",
        "solvency_restored_after_secs",
        "cascade_liquidations",
        "sold_usd",
        "liquidator_pnl_usd",
    ])?;
    for s in summaries {
        w.serialize((
            s.seed,
            s.bad_debt_usd,
            s.bad_debt_socialised_usd,
            s.bad_debt_covered_usd,
            s.shortfall_end_usd,
            s.liquidations,
            s.failed,
            s.repaid_usd,
            s.bonus_usd,
            s.lowest_health_factor,
            s.max_drawdown_pct,
            s.capital_efficiency,
            s.solvency_restored_after_secs,
            s.cascade_liquidations,
            s.sold_usd,
            s.liquidator_pnl_usd,
        ))?;
    }
    csv_text(w)
}
