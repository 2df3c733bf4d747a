//! `cancel_order`: the owner cancels any order of the account, a delegate holding the Orders power
//! the orders it posted; the rent goes back to who paid it.
//!
//! ```text
//! signer = owner or delegate of the order's account     else NotOwnerOrDelegate
//!          a delegate: holds the Orders power           else DelegateLacksPower
//!                      posted the order                 else NotOrderPoster
//! payer  = the order's payer (the rent's destination)   else OrderMismatch
//! effects: the order closed, account.open_orders - 1
//! ```
use crate::errors::KeelError;
use crate::events::OrderCancelled;
use crate::state::{Actor, DelegatePower, DeleverageOrder, MarginAccount};
use anchor_lang::prelude::*;

/// Accounts of `cancel_order`.
#[derive(Accounts)]
pub struct CancelOrder<'info> {
    /// The account's owner or delegate.
    pub authority: Signer<'info>,
    /// The margin account.
    #[account(
        mut,
        constraint = margin_account.load()?.may_act(authority.key) @ KeelError::NotOwnerOrDelegate
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The order.
    #[account(
        mut,
        close = payer,
        has_one = margin_account @ KeelError::OrderMismatch,
        has_one = payer @ KeelError::OrderMismatch
    )]
    pub order: Box<Account<'info, DeleverageOrder>>,
    /// Who paid the order's rent; receives it back.
    /// CHECK: only lamports are credited to it; `has_one = payer` pins it to the order's payer.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
}

/// Cancel the order.
pub fn cancel_order(ctx: Context<CancelOrder>) -> Result<()> {
    let a = ctx.accounts;
    {
        let mut account = a.margin_account.load_mut()?;
        let actor = account.authorize(a.authority.key, DelegatePower::Orders)?;
        require!(
            actor == Actor::Owner || a.order.posted_by == a.authority.key(),
            KeelError::NotOrderPoster
        );
        account.open_orders = account.open_orders.saturating_sub(1);
    }
    crate::events::emit_event!(OrderCancelled {
        order: a.order.key(),
        margin_account: a.margin_account.key(),
        authority: a.authority.key(),
        remaining_repay: a.order.remaining_repay,
    });
    Ok(())
}
