//! `OwnerTransfer`: the accounts of an instruction that moves tokens between a vault and the margin
//! account's owner (`deposit`, `withdraw`, `borrow`): the owner signs, the margin account is theirs
//! and in the market's pool. For `withdraw` and `borrow`, remaining accounts price the positions
//! (see risk/account_health.rs).
use super::market_vault::*;
use crate::errors::KeelError;
use crate::state::{MarginAccount, Pool};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `deposit`, `withdraw` and `borrow`.
#[derive(Accounts)]
pub struct OwnerTransfer<'info> {
    /// The account's owner.
    pub owner: Signer<'info>,
    /// The margin account.
    #[account(
        mut,
        has_one = owner @ KeelError::NotAccountOwner,
        constraint = margin_account.load()?.pool == market.market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The pool (pause flag); the market belongs to it.
    #[account(constraint = pool.key() == market.market.pool @ KeelError::WrongPool)]
    pub pool: Box<Account<'info, Pool>>,
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The owner's side of the transfer: where a deposit comes from, where a withdrawal or a
    /// borrow goes.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub token_account: Box<InterfaceAccount<'info, TokenAccount>>,
}
