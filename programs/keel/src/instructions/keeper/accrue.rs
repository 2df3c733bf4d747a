//! `accrue`: bring a market's interest up to now (permissionless).
use crate::instructions::market_accrual::accrue_market;
use crate::state::Market;
use anchor_lang::prelude::*;

/// Accounts of `accrue`.
#[derive(Accounts)]
pub struct Accrue<'info> {
    /// The market.
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
}

/// Accrue the market's interest to the current clock.
pub fn accrue(ctx: Context<Accrue>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    accrue_market(&mut ctx.accounts.market, key, now)
}
