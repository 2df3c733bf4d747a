//! `borrow`: move tokens from the market's vault to the owner, creating debt shares.
//!
//! ```text
//! shares = ceil(amount / borrow_index)
//! total debt after <= borrow_cap;  amount <= vault balance - insurance fund;  within the outflow limit
//! total debt after <= MAX_BORROW_UTILISATION_BPS (95 %) of total deposits: a borrower cannot take
//!   the last of the free liquidity and lock lenders out (issue 27; a flash loan, repaid in its
//!   own transaction, is not a borrow; a deposit cannot lift the cap and leave in the same slot:
//!   withdraw.rs)
//! refused while the pool is paused or before the market's listing takes effect
//! after: C_init >= D_init   (priced from remaining_accounts)
//! ```
use super::health_guard::{clear_bonus_clock, require_initial_health};
use super::owner_transfer::*;
use crate::errors::KeelError;
use crate::events::Borrowed;
use crate::instructions::market_accrual::accrue_market;
use crate::math::shares::shares_for_borrow;
use crate::state::{DelegatePower, MarginAccount, Market};
use crate::token::transfer::transfer_from_vault;
use anchor_lang::prelude::*;

/// Borrow `amount` base units against the account's collateral.
pub fn borrow(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    ctx.accounts.pool.require_not_paused()?;
    ctx.accounts.authorize(DelegatePower::Borrow)?;
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.market.market.key();
    let vault_balance = ctx.accounts.market.vault.amount;
    let shares = book_borrow(
        &ctx.accounts.margin_account,
        &mut ctx.accounts.market.market,
        market_key,
        vault_balance,
        ctx.remaining_accounts,
        amount,
        now,
    )?;
    let m = &ctx.accounts.market;
    transfer_from_vault(
        &m.token_program,
        &m.vault,
        &ctx.accounts.token_account,
        &m.mint,
        &m.market,
        amount,
    )?;
    crate::events::emit_event!(Borrowed {
        margin_account: ctx.accounts.margin_account.key(),
        market: market_key,
        amount,
        shares,
    });
    Ok(())
}

/// Accrue, book the debt on the market and the position, and check the initial requirement;
/// returns the debt shares created. (Its own function to keep each SBF stack frame small.)
fn book_borrow(
    margin_account: &AccountLoader<MarginAccount>,
    market: &mut Market,
    market_key: Pubkey,
    vault_balance: u64,
    remaining: &[AccountInfo],
    amount: u64,
    now: i64,
) -> Result<u64> {
    market.require_active(now)?;
    accrue_market(market, market_key, now)?;
    require!(
        amount <= market.available_liquidity(vault_balance)?,
        KeelError::InsufficientLiquidity
    );
    market.record_outflow(amount, now)?;
    let shares = shares_for_borrow(amount, market.borrow_index)?;
    market.add_borrow_shares(shares)?;
    require!(
        market.total_debt_u64()? <= market.config.borrow_cap,
        KeelError::BorrowCapExceeded
    );
    // lenders keep a way out: only withdrawals and accrued interest can take a market past the
    // cap (a withdrawal of a deposit made in the same slot cannot: withdraw.rs)
    require!(market.within_borrow_cap()?, KeelError::BorrowUtilisationCap);
    let mut account = margin_account.load_mut()?;
    let i = account.find_or_open(&market_key)?;
    let position = &mut account.positions[i];
    require!(
        position.deposit_shares == 0,
        KeelError::BorrowWhileDepositing
    );
    position.borrow_shares = position
        .borrow_shares
        .checked_add(shares)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    require_initial_health(&account, remaining, market_key, market, now)?;
    // meeting the initial requirement implies meeting maintenance: restart the bonus ramp
    clear_bonus_clock(&mut account, margin_account.key());
    Ok(shares)
}
