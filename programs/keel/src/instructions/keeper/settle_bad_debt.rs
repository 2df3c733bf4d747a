//! `settle_bad_debt`: write off a collateral-less account's debt in one market (permissionless):
//! the market's insurance fund covers what it can, the rest is socialised (risk/bad_debt.rs).
use crate::errors::KeelError;
use crate::instructions::market_accrual::accrue_market;
use crate::risk::bad_debt::settle_bad_debt as write_off;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Accounts of `settle_bad_debt`.
#[derive(Accounts)]
pub struct SettleBadDebt<'info> {
    /// The margin account: no deposit left anywhere, debt in `market`.
    #[account(
        mut,
        constraint = margin_account.load()?.pool == market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The market whose debt is written off.
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
}

/// Write off the account's debt in the market.
pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.market.key();
    let account_key = ctx.accounts.margin_account.key();
    let market = &mut ctx.accounts.market;
    accrue_market(market, market_key, now)?;
    let mut account = ctx.accounts.margin_account.load_mut()?;
    let i = account
        .find(&market_key)
        .ok_or_else(|| error!(KeelError::NoDebt))?;
    write_off(&mut account, account_key, i, market, market_key)?;
    account.remove_if_empty(i);
    Ok(())
}
