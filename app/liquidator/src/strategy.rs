//! Choosing a liquidation: every (debt, collateral) pair of the account is planned with the
//! program's own `plan_liquidation`, the repay capped by what the bot can pay with (its inventory
//! of the debt token, or in flash mode the repay market's lendable liquidity); the pair with the
//! largest profit wins.
//!
//! ```text
//! inventory: profit = value(collateral received, spot) - value(debt repaid + fee, spot)  (USD)
//! flash:     profit = value(collateral received, spot) * (1 - slippage)
//!                     - value(owed to the flash loan, spot) - network fee   (flash.rs)
//! max_repay = floor(budget * 10^8 / (10^8 + max_bonus_bps * protocol_fee_bps))
//!             so the repay and the fee on it (paid in the debt token) fit the budget
//! ```
use crate::evaluate::Candidate;
use crate::snapshot::Snapshot;
use keel::math::fixed::Rounding;
use keel::math::health::token_value;
use keel::math::liquidation::{
    plan_liquidation, BonusConfig, LiquidationInput, LiquidationPlan, Side,
};
use keel_sdk::risk::{position_amounts, position_weights};

/// A chosen liquidation.
#[derive(Clone, Copy, Debug)]
pub struct Choice {
    /// Index of the repay market in the snapshot.
    pub repay: usize,
    /// Index of the seize market in the snapshot.
    pub seize: usize,
    /// The program's plan for it.
    pub plan: LiquidationPlan,
    /// Expected profit, USD.
    pub profit_usd: f64,
    /// In flash mode: what is flash-borrowed and what is owed back (principal + fee).
    pub flash: Option<(u64, u64)>,
}

/// How a pair is paid for and valued.
pub enum Funding<'a> {
    /// From the bot's inventory of each market's token (snapshot order).
    Inventory(&'a [u64]),
    /// Flash-borrowed: each market's lendable liquidity (snapshot order), the flash settings, and
    /// whether a route sells the seize market's token for the repay market's (by index pair).
    Flash {
        /// Lendable liquidity per market.
        liquidity: &'a [u64],
        /// Flash settings.
        config: &'a crate::flash::FlashConfig,
        /// True when a route sells market `s`'s token for market `r`'s: `(r, s)`.
        routed: &'a dyn Fn(usize, usize) -> bool,
    },
}

fn usd(amount: u64, side: &Side) -> f64 {
    token_value(
        amount,
        side.price.price,
        side.price.expo,
        side.decimals,
        Rounding::Down,
    )
    .map(|w| w.0 as f64 / 1e18)
    .unwrap_or(0.0)
}

/// The largest repay whose fee (at most max_bonus * protocol_fee of it) still fits `inventory`.
pub fn repay_budget(inventory: u64, bonus: &BonusConfig) -> u64 {
    let scale = 100_000_000u128;
    let with_fee = scale + bonus.max_bonus_bps as u128 * bonus.protocol_fee_bps as u128;
    (inventory as u128 * scale / with_fee) as u64
}

/// The most profitable liquidation of `candidate`, given the bot's `inventory` of each market's
/// token (in snapshot market order); `None` when nothing pays.
pub fn choose(
    snapshot: &Snapshot,
    candidate: &Candidate,
    inventory: &[u64],
    min_profit_usd: f64,
) -> Option<Choice> {
    choose_funded(
        snapshot,
        candidate,
        &Funding::Inventory(inventory),
        min_profit_usd,
    )
}

/// The most profitable liquidation of `candidate` paid for by `funding`; `None` when nothing
/// pays (after the flash fee, the expected slippage and the network fee in flash mode).
pub fn choose_funded(
    snapshot: &Snapshot,
    candidate: &Candidate,
    funding: &Funding,
    min_profit_usd: f64,
) -> Option<Choice> {
    let amounts = position_amounts(&candidate.account, &snapshot.markets, snapshot.now).ok()?;
    // each position's maintenance weight as the program weighs it (its e-mode group applied)
    let weights = position_weights(&amounts, &snapshot.markets, snapshot.now).ok()?;
    let side = |i: usize, amount: u64, weight_bps: u16| -> Option<Side> {
        let m = &snapshot.markets[i];
        // a held price (stale or too-wide feed) values the account but is never exchanged
        if m.source == keel::oracle::rules::PriceSource::Held {
            return None;
        }
        Some(Side {
            amount,
            price: m.price?,
            decimals: m.market.decimals,
            weight_bps,
        })
    };
    // a position held at a stale feed's last price: the program pays the minimum bonus
    let fresh = amounts.iter().all(|a| {
        snapshot
            .market_index(&a.market)
            .is_some_and(|i| snapshot.markets[i].source != keel::oracle::rules::PriceSource::Held)
    });
    let mut best: Option<Choice> = None;
    let positions = || amounts.iter().zip(&weights);
    for (debt, debt_w) in positions().filter(|(a, _)| a.debt > 0) {
        let r = snapshot.market_index(&debt.market)?;
        for (coll, coll_w) in positions().filter(|(a, _)| a.deposit > 0) {
            let s = snapshot.market_index(&coll.market)?;
            // a collateral without a usable price counts zero and cannot be seized
            let Some(seize) = side(s, coll.deposit, coll_w.maint_asset_weight_bps) else {
                continue;
            };
            let budget = match funding {
                Funding::Inventory(inventory) => inventory[r],
                Funding::Flash {
                    liquidity, routed, ..
                } => {
                    if !routed(r, s) {
                        continue;
                    }
                    liquidity[r]
                }
            };
            let input = LiquidationInput {
                health: candidate.health,
                repay: side(r, debt.debt, debt_w.maint_liab_weight_bps)?,
                seize,
                bonus: snapshot.markets[s].market.config.bonus,
                pool: snapshot.pool.liquidation,
                max_repay: repay_budget(budget, &snapshot.markets[s].market.config.bonus),
                fresh,
            };
            let Ok(plan) = plan_liquidation(&input) else {
                continue;
            };
            let Ok(paid) = plan.paid() else {
                continue;
            };
            if plan.repay == 0 || paid > budget {
                continue;
            }
            let received = usd(plan.to_liquidator(), &input.seize);
            let (profit, flash) = match funding {
                Funding::Inventory(_) => (received - usd(paid, &input.repay), None),
                Funding::Flash { config, .. } => {
                    let fee_bps = snapshot.markets[r].market.config.flash_fee_bps;
                    let Ok(owed) = keel_sdk::instructions::flash_owed(paid, fee_bps) else {
                        continue;
                    };
                    let sold = received * (1.0 - config.slippage_bps as f64 / 10_000.0);
                    let profit = sold - usd(owed, &input.repay) - config.network_fee_usd;
                    (profit, Some((paid, owed)))
                }
            };
            if profit >= min_profit_usd && best.is_none_or(|b| profit > b.profit_usd) {
                best = Some(Choice {
                    repay: r,
                    seize: s,
                    plan,
                    profit_usd: profit,
                    flash,
                });
            }
        }
    }
    best
}
