//! `resume_liquidation`: lift the liquidation pause (admin). Liquidation opens again only after the
//! pool's grace period, so traders can repair health first.
use super::governance_accounts::*;
use crate::errors::KeelError;
use crate::events::PauseChanged;
use anchor_lang::prelude::*;

/// Accounts of `resume_liquidation`.
#[derive(Accounts)]
pub struct ResumeLiquidation<'info> {
    /// Signer (admin), pool, instructions sysvar.
    pub gov: AdminOnly<'info>,
}

/// Resume liquidation; the grace period starts now.
pub fn resume_liquidation(ctx: Context<ResumeLiquidation>) -> Result<()> {
    let by = ctx.accounts.gov.authority.key();
    let pool = &mut ctx.accounts.gov.pool;
    require!(pool.liquidation_paused, KeelError::LiquidationNotPaused);
    pool.liquidation_paused = false;
    pool.liquidation_pause_expires_at = 0;
    pool.liquidation_resumed_at = Clock::get()?.unix_timestamp;
    crate::events::emit_event!(PauseChanged {
        pool: pool.key(),
        borrow_pause_count: pool.borrow_pause_count,
        borrow_paused_before: pool.borrow_paused,
        borrow_paused: pool.borrow_paused,
        liquidation_paused_before: true,
        liquidation_paused: false,
        by,
    });
    Ok(())
}
