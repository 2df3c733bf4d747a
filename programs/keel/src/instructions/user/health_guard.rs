//! The check after borrow and withdraw: the account must still meet its initial requirement,
//! `C_init >= D_init`, priced from `remaining_accounts` (see risk/account_health.rs).
use crate::errors::KeelError;
use crate::risk::account_health::{account_health, LoadedMarket, PriceMode};
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Refuse unless `account` meets the initial requirement at `now`. An account without debt
/// always does and needs no prices, so a debt-free trader can withdraw even with oracles down.
pub fn require_initial_health(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    market_key: Pubkey,
    market: &Market,
    now: i64,
) -> Result<()> {
    if !account.has_debt() {
        return Ok(());
    }
    let loaded = [LoadedMarket {
        key: market_key,
        market,
    }];
    let health = account_health(account, remaining, &loaded, now, PriceMode::Initial)?;
    require!(health.meets_initial(), KeelError::InitialHealthViolated);
    Ok(())
}
