//! `repay`: anyone pays down a margin account's debt in a market.
//!
//! ```text
//! amount >= debt (or u64::MAX) -> shares = all, amount = ceil(shares * borrow_index)
//! otherwise                    -> shares = floor(amount / borrow_index)   refused when 0
//! the amount nets against the market's outflow window (math/rate_limit.rs)
//! the debt's provision (risk/provision.rs) is capped at what is left: released with the debt
//! optional remaining accounts (health accounts): when they show the account healthy after the
//! repay, the liquidation bonus clock restarts (user/health_guard.rs); never needs an oracle
//! ```
use super::health_guard::restart_bonus_clock_if_healthy;
use super::market_vault::*;
use crate::errors::KeelError;
use crate::events::Repaid;
use crate::instructions::market_accrual::accrue_market;
use crate::math::shares::{debt_amount, shares_for_repay};
use crate::risk::provision::cap_provision;
use crate::state::MarginAccount;
use crate::token::transfer::transfer_to_vault;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `repay`. Needs no oracle; remaining accounts (optional): health accounts.
#[derive(Accounts)]
pub struct Repay<'info> {
    /// Whoever pays; need not be the account's owner.
    pub payer: Signer<'info>,
    /// The margin account whose debt is repaid.
    #[account(
        mut,
        constraint = margin_account.load()?.pool == market.market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The payer's token account.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Repay up to `amount` base units (`u64::MAX` for the whole debt).
pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.market.market.key();
    let market = &mut ctx.accounts.market.market;
    accrue_market(market, market_key, now)?;
    let (amount, shares) = {
        let mut account = ctx.accounts.margin_account.load_mut()?;
        let i = account
            .find(&market_key)
            .filter(|i| account.positions[*i].borrow_shares > 0)
            .ok_or_else(|| error!(KeelError::NoDebt))?;
        let owed_shares = account.positions[i].borrow_shares;
        let owed = debt_amount(owed_shares, market.borrow_index)?;
        let (amount, shares) = if amount >= owed {
            (owed, owed_shares)
        } else {
            (amount, shares_for_repay(amount, market.borrow_index)?)
        };
        require!(shares > 0, KeelError::ZeroShares);
        account.positions[i].borrow_shares = owed_shares - shares;
        market.sub_borrow_shares(shares)?;
        // a smaller debt cannot lose more than it is (risk/provision.rs)
        let account_key = ctx.accounts.margin_account.key();
        cap_provision((&mut account, account_key), i, (market, market_key))?;
        account.remove_if_empty(i);
        market.record_inflow(amount, now)?;
        restart_bonus_clock_if_healthy(
            &mut account,
            ctx.accounts.margin_account.key(),
            ctx.remaining_accounts,
            market_key,
            market,
            now,
        );
        (amount, shares)
    };
    let m = &ctx.accounts.market;
    transfer_to_vault(
        &m.token_program,
        &ctx.accounts.source,
        &m.vault,
        &m.mint,
        &ctx.accounts.payer,
        amount,
    )?;
    crate::events::emit_event!(Repaid {
        margin_account: ctx.accounts.margin_account.key(),
        market: market_key,
        payer: ctx.accounts.payer.key(),
        amount,
        shares,
    });
    Ok(())
}
