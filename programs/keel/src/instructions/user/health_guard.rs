//! Health checks of the user instructions, priced from `remaining_accounts` (see
//! risk/account_health.rs):
//! - after borrow and withdraw the account must meet its initial requirement, `C_init >= D_init`;
//! - after deposit and repay (which only ever improve health) the liquidation bonus clock restarts
//!   when the caller passed health accounts and they show the account healthy.
//!
//! When it priced the account, the instruction's own market records the newest publish time it
//! used.
use crate::errors::KeelError;
use crate::math::health::HealthParts;
use crate::risk::account_health::{price_account, LoadedMarket, PriceMode};
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Refuse unless `account` meets the initial requirement at `now`. An account without debt
/// always does and needs no prices, so a debt-free trader can withdraw even with oracles down.
pub fn require_initial_health(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    market_key: Pubkey,
    market: &mut Market,
    now: i64,
) -> Result<()> {
    if !account.has_debt() {
        return Ok(());
    }
    let priced = {
        let loaded = [LoadedMarket {
            key: market_key,
            market,
        }];
        price_account(account, remaining, &loaded, now, PriceMode::Initial)?
    };
    let initial_only = HealthParts {
        initial: true,
        maintenance: false,
        spot: false,
    };
    require!(
        priced.health_parts(initial_only)?.meets_initial(),
        KeelError::InitialHealthViolated
    );
    priced.record_publish_time(&market_key, market);
    Ok(())
}

/// Stop the account's liquidation bonus clock (it was seen healthy), with an event when it ran.
pub fn clear_bonus_clock(account: &mut MarginAccount, key: Pubkey) {
    let since = std::mem::take(&mut account.liquidatable_since);
    if since != 0 {
        crate::events::emit_event!(crate::events::BonusClockCleared {
            margin_account: key,
            since,
        });
    }
}

/// After a deposit or a repay: restart the liquidation episode clock (`liquidatable_since`) when
/// health accounts were passed and show the account out of liquidation (the clock then measures
/// time since the account *last* became liquidatable; since issue 27 it no longer moves the
/// bonus, and it is kept for clients and a future auction). Deposits and repays
/// never need an oracle, so a failure to price (a stale feed, a missing pair) only leaves the
/// clock running; it never refuses the instruction.
pub fn restart_bonus_clock_if_healthy(
    account: &mut MarginAccount,
    account_key: Pubkey,
    remaining: &[AccountInfo],
    market_key: Pubkey,
    market: &mut Market,
    now: i64,
) {
    if remaining.is_empty() || account.liquidatable_since == 0 {
        return;
    }
    let priced = {
        let loaded = [LoadedMarket {
            key: market_key,
            market,
        }];
        price_account(account, remaining, &loaded, now, PriceMode::Maintenance)
            .and_then(|p| p.maintenance_health().map(|h| (p, h)))
    };
    match priced {
        // a held price (a stale feed's last print, which the owner may pick from the gap) never
        // restarts the clock: only fresh prices say the account recovered
        Ok((p, h)) if !h.is_liquidatable() && !p.any_held() => {
            clear_bonus_clock(account, account_key);
            p.record_publish_time(&market_key, market);
        }
        Ok(_) => {}
        Err(e) => msg!("health accounts not usable, bonus clock kept: {:?}", e),
    }
}
