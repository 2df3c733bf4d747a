//! `health`: the program's own answer to "how healthy is this account?", as return data and an event.
//! Read-only; priced as a liquidation would (risk/account_health.rs, lenient mode: a collateral
//! position with a stale or too-wide price counts zero; a debt position needs a usable price).
use crate::events::HealthReported;
use crate::math::health::HealthParts;
use crate::risk::account_health::{price_account, PriceMode};
use crate::state::{HealthReport, MarginAccount};
use anchor_lang::prelude::*;

/// Accounts of `health`. Remaining accounts: (market, price update) per position.
#[derive(Accounts)]
pub struct ReportHealth<'info> {
    /// The margin account.
    pub margin_account: AccountLoader<'info, MarginAccount>,
}

/// Compute the account's health at the current clock.
pub fn health(ctx: Context<ReportHealth>) -> Result<HealthReport> {
    let now = Clock::get()?.unix_timestamp;
    let account = ctx.accounts.margin_account.load()?;
    // the report needs both requirements, not the spot sums (liquidation's bonus cap)
    let parts = HealthParts {
        initial: true,
        maintenance: true,
        spot: false,
    };
    let h = price_account(
        &account,
        ctx.remaining_accounts,
        &[],
        now,
        PriceMode::Maintenance,
    )?
    .health_parts(parts)?;
    let report = HealthReport {
        collateral_init: h.collateral_init,
        debt_init: h.debt_init,
        collateral_maint: h.collateral_maint,
        debt_maint: h.debt_maint,
        collateral_value: h.collateral_value,
        debt_value: h.debt_value,
        health_factor: h.health_factor()?,
        meets_initial: h.meets_initial(),
        liquidatable: h.is_liquidatable(),
    };
    crate::events::emit_event!(HealthReported {
        margin_account: ctx.accounts.margin_account.key(),
        report,
    });
    // On SBF, Anchor sets the return data from the returned value. Off-chain (the native build the
    // test runtime executes) `solana-cpi` 3 makes that call a no-op, so hand it to the runtime's
    // syscall stubs directly; this line is not compiled into the SBF binary.
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_set_return_data(&borsh::to_vec(&report)?);
    Ok(report)
}
