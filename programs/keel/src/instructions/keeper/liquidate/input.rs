//! The plan's input, from the account priced once.
use crate::errors::KeelError;
use crate::math::health::Health;
use crate::math::liquidation::{BonusConfig, LiquidationConfig, LiquidationInput, Side};
use crate::risk::account_health::PricedAccount;
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

/// Check the account is liquidatable (`before`: its maintenance health from `priced`), start its
/// bonus clock, and gather the plan's input from the priced positions; returns it with the repay
/// and seize position indices.
pub(super) fn liquidation_input(
    account: &mut MarginAccount,
    (priced, before): (&PricedAccount, Health),
    (repay_key, seize_key): (Pubkey, Pubkey),
    (config, bonus): (&LiquidationConfig, BonusConfig),
    max_repay: u64,
    now: i64,
) -> Result<(Box<LiquidationInput>, usize, usize)> {
    require!(before.is_liquidatable(), KeelError::NotLiquidatable);
    // a new episode: none running, or none touched for a whole ramp (it may have recovered)
    let stale_episode =
        now.saturating_sub(account.last_liquidated_at) > config.bonus_ramp_secs as i64;
    if account.liquidatable_since == 0 || stale_episode {
        account.liquidatable_since = now;
    }
    account.last_liquidated_at = now;
    let ri = account.debt_position(&repay_key)?;
    let si = account.collateral_position(&seize_key)?;
    // weighted as the account's health weighs them (its e-mode group applied)
    let ((rq, rw), (sq, sw)) = (
        priced
            .weighted(&repay_key)
            .ok_or_else(|| error!(KeelError::MissingPositionPair))?,
        priced
            .weighted(&seize_key)
            .ok_or_else(|| error!(KeelError::MissingPositionPair))?,
    );
    // both legs at fresh prices: a held one (stale or too-wide feed) values the account, never
    // an exchange; a position with debt is always priced (risk/account_health.rs refuses)
    let seize_price = sq.exchange_price(KeelError::SeizeMarketUnpriced)?;
    let repay_price = rq.exchange_price(KeelError::OracleStale)?;
    let input = Box::new(LiquidationInput {
        health: before,
        repay: Side {
            amount: rq.input.debt,
            price: repay_price,
            decimals: rq.input.decimals,
            weight_bps: rw.maint_liab_weight_bps,
        },
        seize: Side {
            amount: sq.input.deposit,
            price: seize_price,
            decimals: sq.input.decimals,
            weight_bps: sw.maint_asset_weight_bps,
        },
        bonus,
        pool: *config,
        max_repay,
        fresh: !priced.any_held(),
    });
    Ok((input, ri, si))
}
