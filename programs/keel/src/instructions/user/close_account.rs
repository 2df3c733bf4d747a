//! `close_account`: close an empty margin account, returning its rent to the owner.
use crate::errors::KeelError;
use crate::events::AccountClosed;
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

/// Accounts of `close_account`.
#[derive(Accounts)]
pub struct CloseAccount<'info> {
    /// The account's owner; receives the rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The margin account; must hold no position and no open order.
    #[account(
        mut,
        close = owner,
        has_one = owner @ KeelError::NotAccountOwner,
        constraint = margin_account.load()?.position_count == 0 @ KeelError::AccountNotEmpty,
        constraint = margin_account.load()?.open_orders == 0 @ KeelError::OrdersOpen
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
}

/// Close the (empty) margin account.
pub fn close_account(ctx: Context<CloseAccount>) -> Result<()> {
    crate::events::emit_event!(AccountClosed {
        margin_account: ctx.accounts.margin_account.key(),
        owner: ctx.accounts.owner.key(),
    });
    Ok(())
}
