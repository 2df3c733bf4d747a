//! `tighten_market`: apply a market configuration that only tightens risk (admin or guardian).
//! Loosening changes go through `queue_change` (governance/classify.rs).
//!
//! ```text
//! at once:        initial weights (down to zero: a broken feed's collateral stops backing new
//!                 borrowing), caps, outflow limit, oracle max age and confidence
//! along the ramp: maintenance weights (collateral down, borrow up) move linearly from the ones
//!                 in force to the new ones over MAINT_WEIGHT_RAMP_SECS (math/weight_ramp.rs),
//!                 so no signature can make healthy accounts liquidatable at once
//! guardian alone: an outflow limit no slower than GUARDIAN_OUTFLOW_FLOOR_BPS (1 %) of the
//!                 market's deposits per day, whatever the window (else OutflowBelowFloor): a
//!                 throttle, not a freeze of lenders' exits; the admin may go lower
//! outflow change: the bucket is retargeted by `Market::set_config` (as for a timelocked one)
//! ```
use super::governance_accounts::*;
use crate::constants::GUARDIAN_OUTFLOW_FLOOR_BPS;
use crate::errors::KeelError;
use crate::events::MarketConfigChanged;
use crate::governance::classify::is_tightening;
use crate::state::{Market, MarketConfig};
use anchor_lang::prelude::*;

/// Accounts of `tighten_market`.
#[derive(Accounts)]
pub struct TightenMarket<'info> {
    /// Signer (admin or guardian), pool, instructions sysvar.
    pub gov: AdminOrGuardian<'info>,
    /// The market changed.
    #[account(mut, constraint = market.pool == gov.pool.key() @ KeelError::WrongPool)]
    pub market: Box<Account<'info, Market>>,
}

/// Replace the market's configuration with `config`, which must be in bounds and tighter.
pub fn tighten_market(ctx: Context<TightenMarket>, config: MarketConfig) -> Result<()> {
    config.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let market = &mut ctx.accounts.market;
    let old = market.config;
    require!(is_tightening(&old, &config), KeelError::NotTightening);
    let by = ctx.accounts.gov.authority.key();
    if by != ctx.accounts.gov.pool.admin && config.outflow != old.outflow {
        require_guardian_outflow_floor(market, &config.outflow)?;
    }
    market.set_config(config, now)?;
    crate::events::emit_event!(MarketConfigChanged {
        market: market.key(),
        old,
        new: config,
        by,
        immediate: true,
        maint_ramp: market.maint_ramp,
        config_version: market.config_version,
    });
    Ok(())
}

/// The guardian alone sets no outflow limit slower than its floor (per day: max_outflow *
/// 86,400 / window >= 1% of deposits). Its own frame: SBF's 4 KiB.
#[inline(never)]
fn require_guardian_outflow_floor(
    market: &Market,
    new: &crate::math::rate_limit::OutflowLimit,
) -> Result<()> {
    let deposits = market.total_deposits_u64()? as u128;
    let per_day = new.max_outflow as u128 * 86_400 * 10_000;
    let floor = deposits * GUARDIAN_OUTFLOW_FLOOR_BPS as u128 * new.window_secs as u128;
    require!(per_day >= floor, KeelError::OutflowBelowFloor);
    Ok(())
}
