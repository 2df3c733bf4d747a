//! `queue_change`: queue a loosening change behind the pool's timelock (admin).
//!
//! ```text
//! eta = now + pool.timelock_delay_secs
//! base_hash = the state the change is queued against (governance/change_base.rs); a market
//!             change names its market, which must be passed
//! executable by anyone from max(eta, queued_at + the delay in force) for
//! CHANGE_EXECUTION_WINDOW_SECS, while the base stands (`execute_change`); cancellable until
//! then by the admin or the guardian (`cancel_change`)
//! ```
// Anchor's `init` codegen (the create-account closures of `try_accounts`) measures above the
// 4 KiB threshold in host MIR; it is generated code this crate cannot restructure. The SBF
// build's real frames are checked by `anchor build` (stack-offset warnings); see the notes.
#![allow(clippy::large_stack_frames)]
use super::governance_accounts::*;
use crate::constants::*;
use crate::errors::KeelError;
use crate::events::ChangeQueued;
use crate::governance::change_base::change_base;
use crate::state::{ChangeKind, Market, PendingChange};
use anchor_lang::prelude::*;

/// Accounts of `queue_change`.
#[derive(Accounts)]
pub struct QueueChange<'info> {
    /// Signer (admin), pool, instructions sysvar.
    pub gov: AdminOnly<'info>,
    /// Pays the queued change's rent (refunded when it is executed or cancelled).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The queued change, at the pool's next change id.
    #[account(
        init,
        payer = payer,
        space = 8 + PendingChange::INIT_SPACE,
        seeds = [CHANGE_SEED, gov.pool.key().as_ref(), &gov.pool.next_change_id.to_le_bytes()],
        bump
    )]
    pub change: Box<Account<'info, PendingChange>>,
    /// System program.
    pub system_program: Program<'info, System>,
    /// The market, for a market change (its configuration is the change's base).
    #[account(constraint = market.pool == gov.pool.key() @ KeelError::WrongPool)]
    pub market: Option<Box<Account<'info, Market>>>,
}

/// Queue `kind`, after checking its values' bounds.
pub fn queue_change(ctx: Context<QueueChange>, kind: ChangeKind) -> Result<()> {
    match &kind {
        ChangeKind::MarketConfig { config, .. } => config.validate()?,
        ChangeKind::LiquidationConfig { config } => config.validate()?,
        ChangeKind::TimelockDelay { delay_secs } => require!(
            (0..=MAX_TIMELOCK_DELAY_SECS).contains(delay_secs),
            KeelError::InvalidTimelockDelay
        ),
        ChangeKind::UnpauseBorrowing => {}
    }
    let now = Clock::get()?.unix_timestamp;
    let market = ctx.accounts.market.as_deref().map(|m| (m.key(), &**m));
    let base_hash = change_base(&kind, &ctx.accounts.gov.pool, market)?;
    let pool = &mut ctx.accounts.gov.pool;
    let id = pool.next_change_id;
    pool.next_change_id = id
        .checked_add(1)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    let eta = now
        .checked_add(pool.timelock_delay_secs)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    let change = &mut ctx.accounts.change;
    change.pool = pool.key();
    change.id = id;
    change.kind = kind;
    change.queued_at = now;
    change.eta = eta;
    change.base_hash = base_hash;
    change.rent_payer = ctx.accounts.payer.key();
    change.bump = ctx.bumps.change;
    crate::events::emit_event!(ChangeQueued {
        pool: change.pool,
        change: change.key(),
        id,
        kind,
        eta,
        base_hash,
    });
    Ok(())
}
