//! In-memory evaluation of every account: which are liquidatable, and how badly.
//!
//! Two stages. A screen values each account in floating point from per-market factors computed
//! once per pass (the weighted USD value of one deposit share and one debt share, at the same
//! price bands and weights as the program); only accounts it cannot clearly call healthy
//! (screened health factor below 1 + `SCREEN_MARGIN`) are valued exactly with the program's own
//! math. Every decision the bot acts on comes from the exact stage.
use crate::snapshot::Snapshot;
use anchor_lang::prelude::Pubkey;
use keel::math::health::Health;
use keel::state::MarginAccount;
use keel_sdk::risk::{account_health, MarketState};

/// A liquidatable account found by a pass.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The margin account.
    pub key: Pubkey,
    /// Its state.
    pub account: MarginAccount,
    /// Its health.
    pub health: Health,
}

/// Relative margin under which the screen hands an account to the exact stage (f64 rounding is
/// about 1e-15 relative; this leaves room for many orders of magnitude more).
pub const SCREEN_MARGIN: f64 = 1e-4;

/// Per-market screening factors.
#[derive(Clone, Copy, Debug)]
pub struct Factors {
    /// Weighted maintenance value (USD) of one deposit share.
    pub collateral_per_share: f64,
    /// Weighted maintenance value (USD) of one debt share.
    pub debt_per_share: f64,
}

/// Factors of every market at `now`, `None` for a market without a usable price.
pub fn factors(markets: &[MarketState], now: i64) -> Vec<(Pubkey, Option<Factors>)> {
    markets
        .iter()
        .map(|m| {
            let f = m.price.and_then(|p| {
                let step = m.market.projected_accrual(now).ok()?;
                let band = p.maintenance_band();
                let unit = 10f64.powi(p.expo - m.market.decimals as i32);
                let w = m.market.weights_at(now);
                Some(Factors {
                    collateral_per_share: step.deposit_index.0 as f64 / 1e18
                        * band.low as f64
                        * unit
                        * w.maint_asset_weight_bps as f64
                        / 1e4,
                    debt_per_share: step.borrow_index.0 as f64 / 1e18
                        * band.high as f64
                        * unit
                        * w.maint_liab_weight_bps as f64
                        / 1e4,
                })
            });
            (m.key, f)
        })
        .collect()
}

/// True when the screen cannot call `account` clearly healthy (or cannot value it).
pub fn needs_exact(account: &MarginAccount, factors: &[(Pubkey, Option<Factors>)]) -> bool {
    let (mut c, mut d) = (0.0f64, 0.0f64);
    for p in account.active() {
        match factors.iter().find(|(k, _)| *k == p.market) {
            Some((_, Some(f))) => {
                c += p.deposit_shares as f64 * f.collateral_per_share;
                d += p.borrow_shares as f64 * f.debt_per_share;
            }
            _ => return true,
        }
    }
    d > 0.0 && c < d * (1.0 + SCREEN_MARGIN)
}

/// Accounts evaluated and the liquidatable ones (an account with an unpriced debt is skipped: the
/// program would refuse to liquidate it too; an unpriced collateral counts zero, as on chain).
pub fn liquidatable(snapshot: &Snapshot) -> (usize, Vec<Candidate>) {
    let factors = factors(&snapshot.markets, snapshot.now);
    let mut out = vec![];
    for (key, account) in &snapshot.accounts {
        if !needs_exact(account, &factors) {
            continue;
        }
        if let Some(health) = health_of(account, &snapshot.markets, snapshot.now) {
            if health.is_liquidatable() {
                out.push(Candidate {
                    key: *key,
                    account: *account,
                    health,
                });
            }
        }
    }
    (snapshot.accounts.len(), out)
}

/// Health of one account, `None` when it cannot be priced.
pub fn health_of(account: &MarginAccount, markets: &[MarketState], now: i64) -> Option<Health> {
    account_health(account, markets, now).ok()
}
