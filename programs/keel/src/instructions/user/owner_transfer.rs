//! `OwnerTransfer`: the accounts of an instruction that moves tokens between a vault and the margin
//! account's owner (`deposit`, `withdraw`, `borrow`), signed by the owner or the account's
//! delegate (`set_delegate`). The role is part of the accounts type: the signer must be one of the
//! two, and the margin account must be in the market's pool; each handler then asks for its own
//! power (`authorize`, state/delegate.rs). For `withdraw` and `borrow`, remaining accounts price
//! the positions (see risk/account_health.rs).
//!
//! ```text
//! signer = owner or delegate                                   else NotOwnerOrDelegate
//! the delegate holds the instruction's power                   else DelegateLacksPower
//! withdraw, borrow by the delegate: the token account is the owner's   else DelegatePaysOwnerOnly
//! ```
use super::market_vault::*;
use crate::errors::KeelError;
use crate::state::{Actor, DelegatePower, MarginAccount, Pool};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `deposit`, `withdraw` and `borrow`.
#[derive(Accounts)]
pub struct OwnerTransfer<'info> {
    /// The account's owner, or its delegate.
    pub authority: Signer<'info>,
    /// The margin account.
    #[account(
        mut,
        constraint = margin_account.load()?.may_act(authority.key) @ KeelError::NotOwnerOrDelegate,
        constraint = margin_account.load()?.pool == market.market.pool @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The pool (pause flag); the market belongs to it.
    #[account(constraint = pool.key() == market.market.pool @ KeelError::WrongPool)]
    pub pool: Box<Account<'info, Pool>>,
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The signer's side of the transfer: where a deposit comes from, where a withdrawal or a
    /// borrow goes (the owner's own account when the delegate signs).
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub token_account: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl OwnerTransfer<'_> {
    /// Refuse unless the signer may use `power` on the account (state/delegate.rs); a delegate's
    /// withdrawal or borrow goes only to a token account of the owner.
    pub fn authorize(&self, power: DelegatePower) -> Result<()> {
        let account = self.margin_account.load()?;
        let actor = account.authorize(self.authority.key, power)?;
        require!(
            actor == Actor::Owner
                || power == DelegatePower::Deposit
                || self.token_account.owner == account.owner,
            KeelError::DelegatePaysOwnerOnly
        );
        Ok(())
    }
}
