//! `Outflow`: the accounts of an instruction that moves tokens out of a vault to the account's
//! owner (`borrow`, `withdraw`): the owner signs, the margin account is theirs and in the market's
//! pool, which must not be paused. Remaining accounts price the positions (see risk/account_health.rs).
use super::market_vault::*;
use crate::errors::KeelError;
use crate::state::{MarginAccount, Pool};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `borrow` and `withdraw`.
#[derive(Accounts)]
pub struct Outflow<'info> {
    /// The account's owner.
    pub owner: Signer<'info>,
    /// The margin account.
    #[account(
        mut,
        has_one = owner @ KeelError::NotAccountOwner,
        constraint = margin_account.load()?.pool == market.market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The pool (pause flag); the account and the market belong to it.
    #[account(constraint = pool.key() == market.market.pool @ KeelError::WrongPool)]
    pub pool: Box<Account<'info, Pool>>,
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// Where the tokens go.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
}
