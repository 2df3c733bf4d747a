//! `pause`: stop borrowing (borrow, new accounts and positions, withdrawals by accounts with debt)
//! and/or liquidation at once (admin or guardian). Deposit, repay and a debt-free account's
//! withdrawal never stop: a pause stops what creates risk, never a lender's exit (the outflow
//! limit throttles a run). Lifting the borrow pause is a loosening
//! (`queue_change` with `UnpauseBorrowing`); liquidation resumes with `resume_liquidation`.
//!
//! ```text
//! liquidation pause by the admin:         until resume_liquidation
//! liquidation pause by the guardian alone: lapses GUARDIAN_LIQUIDATION_PAUSE_SECS (1 day) after it
//!                                          was set, then the grace period runs; pausing again
//!                                          while it runs does not extend it, and a new one waits
//!                                          until the lapse + grace + another day (else
//!                                          GuardianPauseSpent), whatever the admin did meanwhile;
//!                                          it never shortens an admin's pause
//! ```
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
    if liquidation {
        let expires = liquidation_pause_expiry(pool, &by)?;
        if expires != 0 && expires != pool.liquidation_pause_expires_at {
            // a new guardian pause: the next one waits for its lapse, the grace and a day more
            pool.guardian_pause_allowed_at = expires
                .saturating_add(pool.liquidation.grace_secs as i64)
                .saturating_add(crate::constants::GUARDIAN_LIQUIDATION_PAUSE_SECS);
        }
        pool.liquidation_pause_expires_at = expires;
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

/// When the liquidation pause `by` sets lapses (0: never), by the rules of the module's header.
fn liquidation_pause_expiry(pool: &crate::state::Pool, by: &Pubkey) -> Result<i64> {
    use crate::constants::GUARDIAN_LIQUIDATION_PAUSE_SECS as SECS;
    let expires = pool.liquidation_pause_expires_at;
    if *by == pool.admin || (pool.liquidation_paused && expires == 0) {
        return Ok(0);
    }
    let now = Clock::get()?.unix_timestamp;
    if pool.liquidation_paused && now < expires {
        return Ok(expires); // running: not extended
    }
    require!(
        now >= pool.guardian_pause_allowed_at,
        crate::errors::KeelError::GuardianPauseSpent
    );
    Ok(now.saturating_add(SECS))
}
