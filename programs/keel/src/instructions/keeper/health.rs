//! `health`: the program's own answer to "how healthy is this account?", as return data and an event.
//! Read-only; priced as a liquidation would (risk/account_health.rs, maintenance mode: a stale or
//! too-wide feed is held at its last price, a gone feed's collateral counts zero, a debt needs a
//! price). `meets_initial` reads held positions as borrowing does (a held collateral counts
//! zero, a held debt fails it): a caller never reads a looser check than `borrow`.
use crate::events::HealthReported;
use crate::math::health::HealthParts;
use crate::oracle::rules::PriceSource;
use crate::risk::account_health::{price_account, PriceMode, PricedAccount};
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
    let priced = price_account(
        &account,
        ctx.remaining_accounts,
        &[],
        now,
        PriceMode::Maintenance,
    )?;
    let h = priced.health_parts(parts)?;
    let report = HealthReport {
        collateral_init: h.collateral_init,
        debt_init: h.debt_init,
        collateral_maint: h.collateral_maint,
        debt_maint: h.debt_maint,
        collateral_value: h.collateral_value,
        debt_value: h.debt_value,
        health_factor: h.health_factor()?,
        meets_initial: match priced.any_held() {
            false => h.meets_initial(),
            true => initial_without_held(&priced)?,
        },
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

/// The initial requirement as borrowing would judge it: a held collateral counts zero, a held
/// debt fails it (out of line: only accounts with a held position pay for it).
#[inline(never)]
fn initial_without_held(priced: &PricedAccount) -> Result<bool> {
    let mut strict = PricedAccount {
        quotes: priced.quotes.clone(),
        pinned_group: priced.pinned_group,
    };
    for q in strict
        .quotes
        .iter_mut()
        .filter(|q| q.source == PriceSource::Held)
    {
        if q.input.debt > 0 {
            return Ok(false);
        }
        q.input.price = None;
    }
    let initial = HealthParts {
        initial: true,
        maintenance: false,
        spot: false,
    };
    Ok(strict.health_parts(initial)?.meets_initial())
}
