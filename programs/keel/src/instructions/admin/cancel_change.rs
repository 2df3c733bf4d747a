//! `cancel_change`: drop a queued change before it executes (admin, or the guardian as a veto:
//! cancelling a loosening only ever reduces risk).
use super::governance_accounts::*;
use crate::errors::KeelError;
use crate::events::ChangeCancelled;
use crate::state::PendingChange;
use anchor_lang::prelude::*;

/// Accounts of `cancel_change`.
#[derive(Accounts)]
pub struct CancelChange<'info> {
    /// Signer (admin or guardian), pool, instructions sysvar.
    pub gov: AdminOrGuardian<'info>,
    /// The queued change; closed, its rent back to whoever paid it.
    #[account(
        mut,
        close = rent_receiver,
        constraint = change.pool == gov.pool.key() @ KeelError::WrongPool
    )]
    pub change: Box<Account<'info, PendingChange>>,
    /// CHECK: must be the change's rent payer (address-checked).
    #[account(mut, address = change.rent_payer)]
    pub rent_receiver: UncheckedAccount<'info>,
}

/// Cancel the queued change.
pub fn cancel_change(ctx: Context<CancelChange>) -> Result<()> {
    let change = &ctx.accounts.change;
    crate::events::emit_event!(ChangeCancelled {
        pool: change.pool,
        change: change.key(),
        id: change.id,
        by: ctx.accounts.gov.authority.key(),
    });
    Ok(())
}
