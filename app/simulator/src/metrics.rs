//! What a run measures at every step: the program's events (read from the transactions' logs) and
//! a read of every account, valued in USD at the true price.
//!
//! ```text
//! value of a token amount        = amount / 10^decimals * true price
//! health factor of an account    = C_maint / D_maint       (the program's engine, oracle prices)
//! underwater                     : C_value < D_value        (unweighted, oracle price bands)
//! unrecognised shortfall         = sum over underwater accounts of (D_value - C_value)
//! ```
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use keel::events::{BadDebtCovered, BadDebtSocialised, Liquidated, OrderExecuted};
use keel::math::fixed::WAD;
use keel::math::health::Health;
use keel_liquidator::snapshot::Snapshot;
use keel_sdk::risk::{account_health, position_amounts};
use serde::Serialize;

/// A program event the simulator counts.
pub enum Event {
    /// A liquidation.
    Liquidated(Liquidated),
    /// Bad debt covered by the insurance fund.
    Covered(BadDebtCovered),
    /// Bad debt socialised to lenders.
    Socialised(BadDebtSocialised),
    /// A deleverage order executed.
    OrderExecuted(OrderExecuted),
}

fn decode<T: AnchorDeserialize + Discriminator>(data: &[u8]) -> Option<T> {
    let body = data.strip_prefix(T::DISCRIMINATOR)?;
    T::deserialize(&mut &body[..]).ok()
}

/// The counted events in `logs` (Anchor's `emit!` writes `Program data: <base64>` lines; see
/// `keel_localnet::native_logs` for the native build's form).
pub fn events(logs: &[String]) -> Vec<Event> {
    let engine = base64::engine::general_purpose::STANDARD;
    logs.iter()
        .filter_map(|line| keel_localnet::native_logs::event_data(line))
        .filter_map(|b64| engine.decode(b64.trim()).ok())
        .filter_map(|data| {
            decode::<Liquidated>(&data)
                .map(Event::Liquidated)
                .or_else(|| decode::<BadDebtCovered>(&data).map(Event::Covered))
                .or_else(|| decode::<BadDebtSocialised>(&data).map(Event::Socialised))
                .or_else(|| decode::<OrderExecuted>(&data).map(Event::OrderExecuted))
        })
        .collect()
}

/// One row of the time series.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepRecord {
    /// Step number (0 = after set-up).
    pub step: usize,
    /// Seconds since the start.
    pub time_secs: i64,
    /// True price of each market.
    pub prices: Vec<f64>,
    /// Last published oracle price of each market.
    pub oracle_prices: Vec<f64>,
    /// All deposits, USD.
    pub collateral_usd: f64,
    /// All debt, USD.
    pub debt_usd: f64,
    /// All insurance funds, USD.
    pub insurance_fund_usd: f64,
    /// Traders who defended their position this step (repaid part of their debt).
    pub defences: u64,
    /// What they repaid, USD.
    pub defended_usd: f64,
    /// Liquidations that landed this step.
    pub liquidations: u64,
    /// Liquidation attempts that lost a race this step.
    pub skipped: u64,
    /// Liquidation attempts that failed otherwise this step.
    pub failed: u64,
    /// Orders and liquidations the network dropped this step (sent again the next round).
    pub dropped: u64,
    /// Debt repaid by liquidators this step, USD.
    pub repaid_usd: f64,
    /// Bonus paid to liquidators this step (after the protocol fee), USD.
    pub bonus_usd: f64,
    /// Deleverage orders executed this step.
    pub orders_executed: u64,
    /// Debt they repaid, USD.
    pub order_repaid_usd: f64,
    /// What their executors received above the debt repaid, USD (the traders' cost).
    pub order_bonus_usd: f64,
    /// Protocol fee to the insurance funds this step, USD.
    pub fee_usd: f64,
    /// Bad debt covered by insurance funds this step, USD.
    pub bad_debt_covered_usd: f64,
    /// Bad debt socialised to lenders this step, USD.
    pub bad_debt_socialised_usd: f64,
    /// Shortfall of underwater accounts not yet written off, USD at the true prices.
    pub shortfall_usd: f64,
    /// Accounts liquidatable after the price update, before the bots acted.
    pub liquidatable_accounts: usize,
    /// Accounts whose debt exceeded their collateral, before the bots acted.
    pub underwater_accounts: usize,
    /// Lowest health factor among indebted accounts, before the bots acted.
    pub min_health_factor: Option<f64>,
    /// Accounts still liquidatable at the end of the step.
    pub liquidatable_after: usize,
    /// Indebted accounts that could not be valued at the end of the step (a stale price).
    pub unpriced_accounts: usize,
    /// Each market's insurance fund at the end of the step, USD (scenario market order, as
    /// every per-market column).
    pub insurance_usd: Vec<f64>,
    /// Protocol fees into each market's fund this step, USD.
    pub fee_by_market_usd: Vec<f64>,
    /// Bad debt each market's fund covered this step, USD.
    pub covered_by_market_usd: Vec<f64>,
    /// Bad debt socialised to each market's lenders this step, USD.
    pub socialised_by_market_usd: Vec<f64>,
    /// Seized collateral the bots sold in each market this step, USD at the market price.
    pub sold_usd: Vec<f64>,
    /// Each market's price impact at the end of the step, % below the path (depth.rs).
    pub impact_pct: Vec<f64>,
    /// Accounts liquidatable before the bots only because of price impact: healthy at the
    /// path's prices (the liquidations' own cascade).
    pub cascade_accounts: usize,
    /// Liquidations that landed on such accounts this step.
    pub cascade_liquidations: u64,
}

impl StepRecord {
    /// An empty row with room for `markets` per-market columns.
    pub fn with_markets(markets: usize) -> StepRecord {
        StepRecord {
            insurance_usd: vec![0.0; markets],
            fee_by_market_usd: vec![0.0; markets],
            covered_by_market_usd: vec![0.0; markets],
            socialised_by_market_usd: vec![0.0; markets],
            sold_usd: vec![0.0; markets],
            impact_pct: vec![0.0; markets],
            ..StepRecord::default()
        }
    }
}

/// The program's health factor (`C_maint / D_maint`) as a float.
pub fn health_factor(health: &Health) -> f64 {
    health
        .health_factor()
        .map_or(f64::INFINITY, |hf| hf.0 as f64 / WAD as f64)
}

/// Token amount -> USD at `price`.
pub fn usd(amount: f64, decimals: u8, price: f64) -> f64 {
    amount / 10f64.powi(decimals as i32) * price
}

/// A Wad of token base units -> USD at `price`.
pub fn wad_usd(wad: u128, decimals: u8, price: f64) -> f64 {
    usd(wad as f64 / WAD as f64, decimals, price)
}

/// Fill `record`'s event columns from `events`; `price_of(market)` gives (scenario index,
/// decimals, true price).
pub fn add_events(
    record: &mut StepRecord,
    events: &[Event],
    price_of: impl Fn(&Pubkey) -> (usize, u8, f64),
) {
    for e in events {
        match e {
            Event::Liquidated(l) => {
                let (r, rd, rp) = price_of(&l.repay_market);
                let (_, sd, sp) = price_of(&l.seize_market);
                record.repaid_usd += usd(l.repaid as f64, rd, rp);
                // the fee is paid in the repay token, on top of the repay, into its fund
                let fee = usd(l.fee as f64, rd, rp);
                record.bonus_usd += usd(l.bonus as f64, sd, sp) - fee;
                record.fee_usd += fee;
                record.fee_by_market_usd[r] += fee;
            }
            Event::OrderExecuted(o) => {
                let (r, rd, rp) = price_of(&o.repay_market);
                let (_, sd, sp) = price_of(&o.seize_market);
                let repaid = usd(o.repaid as f64, rd, rp);
                // the protocol's fee (issue 27), as a liquidation's: on top of the repay
                let fee = usd(o.fee as f64, rd, rp);
                record.orders_executed += 1;
                record.order_repaid_usd += repaid;
                record.order_bonus_usd += usd(o.seized as f64, sd, sp) - repaid - fee;
                record.fee_usd += fee;
                record.fee_by_market_usd[r] += fee;
            }
            Event::Covered(c) => {
                let (m, d, p) = price_of(&c.market);
                let v = wad_usd(c.amount.0, d, p);
                record.bad_debt_covered_usd += v;
                record.covered_by_market_usd[m] += v;
            }
            Event::Socialised(s) => {
                let (m, d, p) = price_of(&s.market);
                let v = wad_usd(s.amount.0, d, p);
                record.bad_debt_socialised_usd += v;
                record.socialised_by_market_usd[m] += v;
            }
        }
    }
}

/// Fill `record`'s book columns (deposits, debt, insurance funds, open shortfall, accounts still
/// liquidatable) from the end-of-step read; `prices` are the true prices in `snapshot.markets`
/// order, `index` each snapshot market's scenario index.
pub fn add_books(record: &mut StepRecord, snapshot: &Snapshot, prices: &[f64], index: &[usize]) {
    for ((m, p), i) in snapshot.markets.iter().zip(prices).zip(index) {
        let d = m.market.decimals;
        record.collateral_usd += wad_usd(m.market.total_deposits().map_or(0, |w| w.0), d, *p);
        record.debt_usd += wad_usd(m.market.total_debt().map_or(0, |w| w.0), d, *p);
        let fund = wad_usd(m.market.insurance_fund.0, d, *p);
        record.insurance_fund_usd += fund;
        record.insurance_usd[*i] = fund;
    }
    let scan = scan(snapshot);
    record.shortfall_usd = true_shortfall(snapshot, prices);
    record.liquidatable_after = scan.liquidatable;
    record.unpriced_accounts = scan.unpriced;
}

/// Sum over accounts of (debt - collateral) where positive, at the true prices (whatever the
/// oracle shows: a stale oracle must not hide a loss).
fn true_shortfall(snapshot: &Snapshot, prices: &[f64]) -> f64 {
    let mut total = 0.0;
    for (_, account) in &snapshot.accounts {
        let Ok(amounts) = position_amounts(account, &snapshot.markets, snapshot.now) else {
            continue;
        };
        let mut net = 0.0;
        for a in &amounts {
            let Some(i) = snapshot.market_index(&a.market) else {
                continue;
            };
            let d = snapshot.markets[i].market.decimals;
            net += usd(a.deposit as f64, d, prices[i]) - usd(a.debt as f64, d, prices[i]);
        }
        if net < 0.0 {
            total -= net;
        }
    }
    total
}

/// Fill `record`'s health columns from the read the bots made after the price update and before
/// acting: how far the market pushed accounts.
pub fn add_health(record: &mut StepRecord, snapshot: &Snapshot) {
    let scan = scan(snapshot);
    record.liquidatable_accounts = scan.liquidatable;
    record.underwater_accounts = scan.underwater;
    record.min_health_factor = scan.min_health_factor;
}

/// Health of every indebted account of a read.
struct Scan {
    liquidatable: usize,
    underwater: usize,
    unpriced: usize,
    min_health_factor: Option<f64>,
}

fn scan(snapshot: &Snapshot) -> Scan {
    let mut out = Scan {
        liquidatable: 0,
        underwater: 0,
        unpriced: 0,
        min_health_factor: None,
    };
    for (_, account) in &snapshot.accounts {
        if account.active().iter().all(|p| p.borrow_shares == 0) {
            continue;
        }
        let Ok(health) = account_health(account, &snapshot.markets, snapshot.now) else {
            out.unpriced += 1;
            continue;
        };
        if health.is_liquidatable() {
            out.liquidatable += 1;
        }
        if health.collateral_value < health.debt_value {
            out.underwater += 1;
        }
        let hf = health_factor(&health);
        out.min_health_factor = Some(out.min_health_factor.map_or(hf, |m| m.min(hf)));
    }
    out
}

/// Accounts liquidatable in `snapshot` that would be healthy at the path's prices: the oracle's
/// prices moved back by each market's impact (`impact[i]`, a fraction, in `snapshot.markets`
/// order). Empty when nothing has moved.
pub fn impact_only_liquidatable(
    snapshot: &Snapshot,
    impact: &[f64],
) -> std::collections::BTreeSet<Pubkey> {
    let mut out = std::collections::BTreeSet::new();
    if impact.iter().all(|i| *i == 0.0) {
        return out;
    }
    let unmoved: Vec<_> = snapshot
        .markets
        .iter()
        .zip(impact)
        .map(|(m, i)| {
            let mut m = m.clone();
            if let Some(p) = m.price.as_mut() {
                let back = |v: u64| (v as f64 / (1.0 - i)).round() as u64;
                (p.price, p.conf) = (back(p.price), back(p.conf));
            }
            m
        })
        .collect();
    for (key, account) in &snapshot.accounts {
        let liquidatable = |markets| {
            account_health(account, markets, snapshot.now).is_ok_and(|h| h.is_liquidatable())
        };
        if liquidatable(&snapshot.markets) && !liquidatable(&unmoved) {
            out.insert(*key);
        }
    }
    out
}
