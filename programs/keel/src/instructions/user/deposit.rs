//! `deposit`: move tokens from the owner into the market's vault, crediting deposit shares.
//!
//! ```text
//! shares = floor(amount / deposit_index)           refused when 0
//! total deposits after <= deposit_cap;  while paused, only into an existing position
//! refused when the market's lenders were wiped out (deposit index below MIN_DEPOSIT_INDEX)
//! the amount nets against the market's outflow window (math/rate_limit.rs)
//! optional remaining accounts (health accounts): when they show the account healthy after the
//! deposit, the liquidation bonus clock restarts (user/health_guard.rs); never needs an oracle
//! ```
use super::health_guard::restart_bonus_clock_if_healthy;
use super::owner_transfer::*;
use crate::errors::KeelError;
use crate::events::Deposited;
use crate::instructions::market_accrual::accrue_market;
use crate::math::shares::shares_for_deposit;
use crate::state::{DelegatePower, MarginAccount, Market};
use crate::token::transfer::transfer_to_vault;
use anchor_lang::prelude::*;

/// Deposit `amount` base units. Needs no oracle.
pub fn deposit(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    ctx.accounts.authorize(DelegatePower::Deposit)?;
    let clock = Clock::get()?;
    let market_key = ctx.accounts.market.market.key();
    let paused = ctx.accounts.pool.borrow_paused;
    let shares = book_deposit(
        &ctx.accounts.margin_account,
        &mut ctx.accounts.market.market,
        market_key,
        paused,
        ctx.remaining_accounts,
        amount,
        (clock.unix_timestamp, clock.slot),
    )?;
    let m = &ctx.accounts.market;
    transfer_to_vault(
        &m.token_program,
        &ctx.accounts.token_account,
        &m.vault,
        &m.mint,
        &ctx.accounts.authority,
        amount,
    )?;
    crate::events::emit_event!(Deposited {
        margin_account: ctx.accounts.margin_account.key(),
        market: market_key,
        amount,
        shares,
    });
    Ok(())
}

/// Accrue, mint the deposit shares on the market and the position; returns the shares.
/// (Its own function to keep each SBF stack frame small.)
fn book_deposit(
    margin_account: &AccountLoader<MarginAccount>,
    market: &mut Market,
    market_key: Pubkey,
    paused: bool,
    remaining: &[AccountInfo],
    amount: u64,
    (now, slot): (i64, u64),
) -> Result<u64> {
    market.require_active(now)?;
    accrue_market(market, market_key, now)?;
    market.require_not_wiped_out()?;
    market.record_inflow(amount, now)?;
    let shares = shares_for_deposit(amount, market.deposit_index)?;
    require!(shares > 0, KeelError::ZeroShares);
    market.add_deposit_shares(shares)?;
    require!(
        market.total_deposits_u64()? <= market.config.deposit_cap,
        KeelError::DepositCapExceeded
    );
    let mut account = margin_account.load_mut()?;
    if paused {
        // deposits never stop, but a pause opens no new position
        require!(account.find(&market_key).is_some(), KeelError::Paused);
    }
    account.credit_deposit(&market_key, shares)?;
    account.last_deposit_slot = slot;
    restart_bonus_clock_if_healthy(
        &mut account,
        margin_account.key(),
        remaining,
        market_key,
        market,
        now,
    );
    Ok(shares)
}
