//! `pause`: stop borrowing (borrow, withdraw, new accounts and positions) and/or liquidation at
//! once (admin or guardian). Deposit and repay never stop. Lifting the borrow pause is a loosening
//! (`queue_change` with `UnpauseBorrowing`); liquidation resumes with `resume_liquidation`.
use super::governance_accounts::*;
use crate::events::PauseChanged;
use anchor_lang::prelude::*;

/// Accounts of `pause`.
#[derive(Accounts)]
pub struct Pause<'info> {
    /// Signer (admin or guardian), pool, instructions sysvar.
    pub gov: AdminOrGuardian<'info>,
}

/// Pause borrowing when `borrow`, liquidation when `liquidation` (false leaves a flag as it is).
pub fn pause(ctx: Context<Pause>, borrow: bool, liquidation: bool) -> Result<()> {
    let by = ctx.accounts.gov.authority.key();
    let pool = &mut ctx.accounts.gov.pool;
    let (borrow_before, liquidation_before) = (pool.borrow_paused, pool.liquidation_paused);
    if borrow {
        // every pause is a new one: a queued un-pause lifts only the pause it was queued against
        pool.borrow_pause_count = pool
            .borrow_pause_count
            .checked_add(1)
            .ok_or_else(|| error!(crate::errors::KeelError::MathOverflow))?;
    }
    pool.borrow_paused |= borrow;
    pool.liquidation_paused |= liquidation;
    crate::events::emit_event!(PauseChanged {
        pool: pool.key(),
        borrow_pause_count: pool.borrow_pause_count,
        borrow_paused_before: borrow_before,
        borrow_paused: pool.borrow_paused,
        liquidation_paused_before: liquidation_before,
        liquidation_paused: pool.liquidation_paused,
        by,
    });
    Ok(())
}
