//! `health`: the program's own answer to "how healthy is this account?", as return data and an event.
//! Read-only; every position must have a valid price (see risk/account_health.rs, strict mode).
use crate::events::HealthReported;
use crate::math::fixed::Wad;
use crate::risk::account_health::{account_health, PriceMode};
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

/// Accounts of `health`. Remaining accounts: (market, price update) per position.
#[derive(Accounts)]
pub struct ReportHealth<'info> {
    /// The margin account.
    pub margin_account: AccountLoader<'info, MarginAccount>,
}

/// What `health` returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct HealthReport {
    /// Weighted collateral, initial requirement (USD, Wad).
    pub collateral_init: Wad,
    /// Weighted debt, initial requirement.
    pub debt_init: Wad,
    /// Weighted collateral, maintenance requirement.
    pub collateral_maint: Wad,
    /// Weighted debt, maintenance requirement.
    pub debt_maint: Wad,
    /// Unweighted collateral value (maintenance band's low prices).
    pub collateral_value: Wad,
    /// Unweighted debt value (maintenance band's high prices).
    pub debt_value: Wad,
    /// `C_maint / D_maint` (Wad; `u128::MAX` with no debt).
    pub health_factor: Wad,
    /// `C_init >= D_init`.
    pub meets_initial: bool,
    /// `C_maint < D_maint`.
    pub liquidatable: bool,
}

/// Compute the account's health at the current clock.
pub fn health(ctx: Context<ReportHealth>) -> Result<HealthReport> {
    let now = Clock::get()?.unix_timestamp;
    let account = ctx.accounts.margin_account.load()?;
    let h = account_health(
        &account,
        ctx.remaining_accounts,
        &[],
        now,
        PriceMode::Strict,
    )?;
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
