//! `withdraw`: move tokens from the market's vault to the owner, burning deposit shares.
//!
//! ```text
//! index = the deposit index marked down by the market's provisioned loss beyond its insurance
//!         fund (math/provision.rs): a lender leaving ahead of a write-off takes its share
//! amount = u64::MAX  -> withdraw all: shares = all, amount = floor(shares * index)
//! otherwise          -> shares = ceil(amount / index)
//! haircut = shares * deposit_index - amount  -> the insurance fund (it covers that loss first)
//! in the slot of the account's latest deposit: total debt <= 95 % of deposits after (a
//!   flash-loaned deposit cannot lift the borrow cap and leave: RecentDepositLiftsCap)
//! amount <= vault balance - insurance fund;  within the outflow limit
//! refused while borrowing is paused only for an account with debt (it repays first: repay never
//!   stops), so no pause traps a lender (issue 26: a guardian could hold a pause for months)
//! after: C_init >= D_init   (priced from remaining_accounts when the account has debt)
//! ```
use super::health_guard::{clear_bonus_clock, require_initial_health};
use super::owner_transfer::*;
use crate::errors::KeelError;
use crate::events::Withdrawn;
use crate::instructions::market_accrual::accrue_market;
use crate::math::fixed::Wad;
use crate::math::shares::{deposit_amount, shares_for_withdraw};
use crate::state::{DelegatePower, MarginAccount, Market};
use crate::token::transfer::transfer_from_vault;
use anchor_lang::prelude::*;

/// Withdraw `amount` base units (`u64::MAX` for the whole deposit).
pub fn withdraw(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    if ctx.accounts.margin_account.load()?.has_debt() {
        ctx.accounts.pool.require_not_paused()?;
    }
    ctx.accounts.authorize(DelegatePower::Withdraw)?;
    let clock = Clock::get()?;
    let market_key = ctx.accounts.market.market.key();
    let vault_balance = ctx.accounts.market.vault.amount;
    let (amount, shares, haircut) = book_withdrawal(
        &ctx.accounts.margin_account,
        &mut ctx.accounts.market.market,
        market_key,
        vault_balance,
        ctx.remaining_accounts,
        amount,
        (clock.unix_timestamp, clock.slot),
    )?;
    if amount > 0 {
        let m = &ctx.accounts.market;
        transfer_from_vault(
            &m.token_program,
            &m.vault,
            &ctx.accounts.token_account,
            &m.mint,
            &m.market,
            amount,
        )?;
    }
    crate::events::emit_event!(Withdrawn {
        margin_account: ctx.accounts.margin_account.key(),
        market: market_key,
        amount,
        shares,
        haircut,
    });
    Ok(())
}

/// Accrue, burn the deposit shares on the market and the position, and check the initial
/// requirement; returns (tokens out, shares burned, haircut). (Its own function to keep each SBF
/// stack frame small.)
fn book_withdrawal(
    margin_account: &AccountLoader<MarginAccount>,
    market: &mut Market,
    market_key: Pubkey,
    vault_balance: u64,
    remaining: &[AccountInfo],
    amount: u64,
    (now, slot): (i64, u64),
) -> Result<(u64, u64, Wad)> {
    accrue_market(market, market_key, now)?;
    let mut account = margin_account.load_mut()?;
    let i = account
        .find(&market_key)
        .ok_or_else(|| error!(KeelError::InsufficientDeposit))?;
    let held = account.positions[i].deposit_shares;
    let recent = account.last_deposit_slot == slot;
    let (amount, shares, haircut) =
        burn_at_withdraw_index(market, (held, amount), (vault_balance, now), recent)?;
    account.positions[i].deposit_shares = held - shares;
    require_initial_health(&account, remaining, market_key, market, now)?;
    // meeting the initial requirement implies meeting maintenance: restart the bonus ramp
    clear_bonus_clock(&mut account, margin_account.key());
    // removed only after the check, so remaining accounts always match the positions as they
    // stood before the instruction
    account.remove_if_empty(i);
    Ok((amount, shares, haircut))
}

/// The market's side of a withdrawal of `amount` (`u64::MAX`: all of `held`): tokens and shares
/// at the withdraw index, within the liquidity and the outflow limit; the haircut into the
/// insurance fund; the cap when the account deposited in this slot (`recent`). Returns (tokens,
/// shares, haircut). Out of line: the caller's SBF frame is near its 4 KiB.
#[inline(never)]
fn burn_at_withdraw_index(
    market: &mut Market,
    (held, amount): (u64, u64),
    (vault_balance, now): (u64, i64),
    recent: bool,
) -> Result<(u64, u64, Wad)> {
    // marked down by the provisioned loss the insurance fund does not cover (math/provision.rs)
    let index = market.withdraw_index()?;
    require!(index > Wad::ZERO, KeelError::InsufficientDeposit);
    let (amount, shares) = if amount == u64::MAX {
        (deposit_amount(held, index)?, held)
    } else {
        (amount, shares_for_withdraw(amount, index)?)
    };
    require!(shares > 0 && shares <= held, KeelError::InsufficientDeposit);
    require!(
        amount <= market.available_liquidity(vault_balance)?,
        KeelError::InsufficientLiquidity
    );
    market.record_outflow(amount, now)?;
    // the lenders who stay do not bear the leaver's share of the provisioned loss
    let haircut = market.take_haircut(shares, amount, index)?;
    market.sub_deposit_shares(shares)?;
    // a deposit made in this slot leaves only within the cap: else a flash-loaned deposit
    // lifts the cap for a borrow and leaves in one transaction (borrow.rs)
    require!(
        !recent || market.within_borrow_cap()?,
        KeelError::RecentDepositLiftsCap
    );
    Ok((amount, shares, haircut))
}
