//! `raise_timelock`: lengthen the timelock delay at once (admin). Shortening it is a loosening:
//! `queue_change` with `TimelockDelay`. A raise also delays changes already queued: a change
//! executes no earlier than `queued_at + the delay in force` (keeper/execute_change.rs).
use super::governance_accounts::*;
use crate::constants::MAX_TIMELOCK_DELAY_SECS;
use crate::errors::KeelError;
use crate::events::TimelockDelayChanged;
use anchor_lang::prelude::*;

/// Accounts of `raise_timelock`.
#[derive(Accounts)]
pub struct RaiseTimelock<'info> {
    /// Signer (admin), pool, instructions sysvar.
    pub gov: AdminOnly<'info>,
}

/// Set the delay to `delay_secs`, which must not be lower than the current one.
pub fn raise_timelock(ctx: Context<RaiseTimelock>, delay_secs: i64) -> Result<()> {
    let pool = &mut ctx.accounts.gov.pool;
    require!(
        delay_secs <= MAX_TIMELOCK_DELAY_SECS,
        KeelError::InvalidTimelockDelay
    );
    require!(
        delay_secs >= pool.timelock_delay_secs,
        KeelError::TimelockNotRaised
    );
    let old = pool.timelock_delay_secs;
    pool.timelock_delay_secs = delay_secs;
    pool.timelock_version = pool.timelock_version.wrapping_add(1);
    crate::events::emit_event!(TimelockDelayChanged {
        pool: pool.key(),
        old,
        new: delay_secs,
        immediate: true,
    });
    Ok(())
}
