//! `tighten_market`: apply at once a market configuration that only tightens risk (admin or
//! guardian). Loosening changes go through `queue_change` (governance/classify.rs).
use super::governance_accounts::*;
use crate::errors::KeelError;
use crate::events::MarketConfigChanged;
use crate::governance::classify::is_tightening;
use crate::state::{Market, MarketConfig};
use anchor_lang::prelude::*;

/// Accounts of `tighten_market`.
#[derive(Accounts)]
pub struct TightenMarket<'info> {
    /// Signer (admin or guardian), pool, instructions sysvar.
    pub gov: Governance<'info>,
    /// The market changed.
    #[account(mut, constraint = market.pool == gov.pool.key() @ KeelError::WrongPool)]
    pub market: Box<Account<'info, Market>>,
}

/// Replace the market's configuration with `config`, which must be in bounds and tighter.
pub fn tighten_market(ctx: Context<TightenMarket>, config: MarketConfig) -> Result<()> {
    ctx.accounts.gov.require_admin_or_guardian()?;
    config.validate()?;
    let market = &mut ctx.accounts.market;
    let old = market.config;
    require!(is_tightening(&old, &config), KeelError::NotTightening);
    market.config = config;
    crate::events::emit_event!(MarketConfigChanged {
        market: market.key(),
        old,
        new: config,
        by: ctx.accounts.gov.authority.key(),
        immediate: true,
    });
    Ok(())
}
