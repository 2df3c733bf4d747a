//! `tighten_market`: apply a market configuration that only tightens risk (admin or guardian).
//! Loosening changes go through `queue_change` (governance/classify.rs).
//!
//! ```text
//! at once:        initial weights (down to zero: a broken feed's collateral stops backing new
//!                 borrowing), caps, outflow limit, oracle max age and confidence
//! along the ramp: maintenance weights (collateral down, borrow up) move linearly from the ones
//!                 in force to the new ones over MAINT_WEIGHT_RAMP_SECS (math/weight_ramp.rs),
//!                 so no signature can make healthy accounts liquidatable at once
//! guardian alone: an outflow limit no lower than GUARDIAN_OUTFLOW_FLOOR_BPS (1 %) of the
//!                 market's deposits per window (else OutflowBelowFloor): a throttle, not a
//!                 freeze of lenders' exits; the admin may go lower
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
    if by != ctx.accounts.gov.pool.admin && config.outflow.max_outflow < old.outflow.max_outflow {
        let deposits = market.total_deposits_u64()?;
        let floor = (deposits as u128 * GUARDIAN_OUTFLOW_FLOOR_BPS as u128).div_ceil(10_000);
        require!(
            config.outflow.max_outflow as u128 >= floor,
            KeelError::OutflowBelowFloor
        );
    }
    market.set_config(config, now);
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
