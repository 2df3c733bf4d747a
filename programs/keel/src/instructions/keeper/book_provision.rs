//! `book_provision`: book (or release) an account's expected loss on one of its debt markets
//! (permissionless; risk/provision.rs, math/provision.rs).
//!
//! ```text
//! pre:  liquidation open (a pause, e.g. over a wrong price, pauses bookings too); the account
//!       has debt in `market`; every debt priced by a fresh Pyth update and every collateral
//!       priced (ProvisionNeedsFreshPrices otherwise; anyone can post fresh updates in the same
//!       transaction)
//! then: provision = ceil(debt * (D_spot - C_low) / D_spot), collateral at its band's low end;
//!       it falls (to 0 when solvent) only when every position is priced by a fresh Pyth update:
//!       a held or second-source collateral may raise it, never release it (risk/provision.rs);
//!       the market remembers the publish times used (no older price may move it later)
//! ```
//! Keepers call it as soon as an account is insolvent at spot, before any liquidation: from then
//! on, a lender leaving the market takes its share of the loss. Lenders have the reason to call
//! it to release a provision once the account has recovered.
use crate::errors::KeelError;
use crate::instructions::market_accrual::accrue_market;
use crate::risk::account_health::{price_account, LoadedMarket, PriceMode};
use crate::risk::provision::{book_provision as book, booking, Booking};
use crate::state::{MarginAccount, Market, Pool};
use anchor_lang::prelude::*;

/// Accounts of `book_provision`. Remaining accounts: (market, price update) pairs, one per
/// position of the account (`market`'s included).
#[derive(Accounts)]
pub struct BookProvision<'info> {
    /// The account, with debt in `market`.
    #[account(
        mut,
        constraint = margin_account.load()?.pool == market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The debt market whose provision is booked.
    #[account(mut, constraint = market.pool == pool.key() @ KeelError::WrongPool)]
    pub market: Box<Account<'info, Market>>,
    /// The pool (its liquidation pause).
    pub pool: Box<Account<'info, Pool>>,
}

/// Book the account's provision in `market` from fresh prices.
pub fn book_provision(ctx: Context<BookProvision>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.require_liquidation_open(now)?;
    let market_key = ctx.accounts.market.key();
    let account_key = ctx.accounts.margin_account.key();
    let market = &mut ctx.accounts.market;
    accrue_market(market, market_key, now)?;
    let mut account = ctx.accounts.margin_account.load_mut()?;
    let i = account.debt_position(&market_key)?;
    let priced = {
        let loaded = [LoadedMarket {
            key: market_key,
            market,
        }];
        price_account(
            &account,
            ctx.remaining_accounts,
            &loaded,
            now,
            PriceMode::Maintenance,
        )?
    };
    let how = booking(&priced);
    require!(
        how != Booking::Refused,
        KeelError::ProvisionNeedsFreshPrices
    );
    let health = priced.maintenance_health()?;
    priced.record_publish_time(&market_key, market);
    book(
        (&mut account, account_key),
        i,
        (market, market_key),
        (&health, how),
    )
}
