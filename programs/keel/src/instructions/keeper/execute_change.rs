//! `execute_change`: apply a queued change once its timelock has passed (permissionless).
//!
//! ```text
//! due     = max(eta, queued_at + pool.timelock_delay_secs)   a raised timelock delays queued changes
//! refuse  now < due                                          TimelockNotElapsed
//!         now > due + CHANGE_EXECUTION_WINDOW_SECS           ChangeExpired (queue it again)
//!         the base it was queued against changed             ChangeBaseChanged (governance/change_base.rs)
//! market change: interest accrues to now under the old curve and reserve factor first; a tighter
//!         maintenance weight ramps (math/weight_ramp.rs), a looser one applies at once
//! ```
use crate::constants::CHANGE_EXECUTION_WINDOW_SECS;
use crate::errors::KeelError;
use crate::events::{
    ChangeExecuted, LiquidationConfigChanged, MarketConfigChanged, PauseChanged,
    TimelockDelayChanged,
};
use crate::governance::change_base::change_base;
use crate::instructions::market_accrual::accrue_market;
use crate::math::liquidation::LiquidationConfig;
use crate::state::{ChangeKind, Market, MarketConfig, PendingChange, Pool};
use anchor_lang::prelude::*;

/// Accounts of `execute_change`.
#[derive(Accounts)]
pub struct ExecuteChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The matured change; closed, its rent back to whoever paid it.
    #[account(
        mut,
        close = rent_receiver,
        constraint = change.pool == pool.key() @ KeelError::WrongPool
    )]
    pub change: Box<Account<'info, PendingChange>>,
    /// CHECK: must be the change's rent payer (address-checked).
    #[account(mut, address = change.rent_payer)]
    pub rent_receiver: UncheckedAccount<'info>,
    /// The market, for a market change.
    #[account(mut, constraint = market.pool == pool.key() @ KeelError::WrongPool)]
    pub market: Option<Box<Account<'info, Market>>>,
}

/// Execute the change.
pub fn execute_change(ctx: Context<ExecuteChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = ctx.accounts;
    let due = a.change.eta.max(
        a.change
            .queued_at
            .saturating_add(a.pool.timelock_delay_secs),
    );
    require!(now >= due, KeelError::TimelockNotElapsed);
    require!(
        now <= due.saturating_add(CHANGE_EXECUTION_WINDOW_SECS),
        KeelError::ChangeExpired
    );
    let market = a.market.as_deref().map(|m| (m.key(), &**m));
    let kind = a.change.kind;
    require!(
        change_base(&kind, &a.pool, market)? == a.change.base_hash,
        KeelError::ChangeBaseChanged
    );
    let executor = a.executor.key();
    match kind {
        ChangeKind::MarketConfig { market, config } => {
            apply_market_config(a.market.as_deref_mut(), market, config, executor, now)?
        }
        ChangeKind::LiquidationConfig { config } => apply_liquidation_config(&mut a.pool, config)?,
        ChangeKind::TimelockDelay { delay_secs } => apply_timelock(&mut a.pool, delay_secs),
        ChangeKind::UnpauseBorrowing => apply_unpause(&mut a.pool, executor),
    }
    emit_executed(a.pool.key(), a.change.key(), a.change.id, &kind, executor);
    Ok(())
}

// each in its own frame: a market configuration is 208 bytes, and the event and the change each
// hold copies (the SBF stack frame is 4 KiB)
#[inline(never)]
fn emit_executed(pool: Pubkey, change: Pubkey, id: u64, kind: &ChangeKind, executor: Pubkey) {
    crate::events::emit_event!(ChangeExecuted {
        pool,
        change,
        id,
        kind: *kind,
        executor,
    });
}

#[inline(never)]
fn apply_market_config(
    account: Option<&mut Account<Market>>,
    market: Pubkey,
    config: MarketConfig,
    executor: Pubkey,
    now: i64,
) -> Result<()> {
    let m = account
        .filter(|m| m.key() == market)
        .ok_or_else(|| error!(KeelError::ChangeMarketMismatch))?;
    config.validate()?;
    // the old curve and reserve factor apply up to now, the new ones from now
    accrue_market(m, market, now)?;
    let old = m.config;
    m.set_config(config, now)?;
    crate::events::emit_event!(MarketConfigChanged {
        market,
        old,
        new: config,
        by: executor,
        immediate: false,
        maint_ramp: m.maint_ramp,
        config_version: m.config_version,
    });
    Ok(())
}

fn apply_liquidation_config(pool: &mut Account<Pool>, config: LiquidationConfig) -> Result<()> {
    config.validate()?;
    let old = pool.liquidation;
    pool.liquidation = config;
    pool.liquidation_version = pool.liquidation_version.wrapping_add(1);
    crate::events::emit_event!(LiquidationConfigChanged {
        pool: pool.key(),
        old,
        new: config,
    });
    Ok(())
}

fn apply_timelock(pool: &mut Account<Pool>, delay_secs: i64) {
    let old = pool.timelock_delay_secs;
    pool.timelock_delay_secs = delay_secs;
    pool.timelock_version = pool.timelock_version.wrapping_add(1);
    crate::events::emit_event!(TimelockDelayChanged {
        pool: pool.key(),
        old,
        new: delay_secs,
        immediate: false,
    });
}

fn apply_unpause(pool: &mut Account<Pool>, executor: Pubkey) {
    let before = pool.borrow_paused;
    pool.borrow_paused = false;
    crate::events::emit_event!(PauseChanged {
        pool: pool.key(),
        borrow_pause_count: pool.borrow_pause_count,
        borrow_paused_before: before,
        borrow_paused: false,
        liquidation_paused_before: pool.liquidation_paused,
        liquidation_paused: pool.liquidation_paused,
        by: executor,
    });
}
