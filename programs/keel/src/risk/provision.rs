//! Booking and releasing provisions (math/provision.rs): the expected loss of an insolvent
//! account, carried by each of its debt positions and summed on the market, so withdrawals pay
//! at the index marked down by it while it stands (issue 27, item 6).
//!
//! ```text
//! booked   by liquidate (its repay market, on the post-state) and by book_provision (any debt
//!          market, permissionless, while liquidation is open), only from fresh Pyth prices on
//!          every debt (collateral valued as health values it); solvent -> 0
//! capped   at the debt left by repay and execute_order (a smaller debt cannot lose more)
//! released when the debt is written off (risk/bad_debt.rs) or the position repaid in full
//! ```
use crate::errors::KeelError;
use crate::events::ProvisionBooked;
use crate::math::health::Health;
use crate::math::provision::{provision_tokens, shortfall};
use crate::math::shares::debt_amount;
use crate::oracle::rules::PriceSource;
use crate::risk::account_health::PricedAccount;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// True when every debt is priced by a fresh Pyth update (alone or with its second source
/// agreeing): what a booking may rely on. Collateral is valued as health values it (a held price
/// at its last publication, a second source alone with its haircut, a gone feed at zero), so
/// one position whose feed is unusable cannot hold a booking off (attack review, issue 27: a
/// dust deposit in such a market did); a debt from a second source alone, or a diverging one,
/// could fake or hide a loss.
pub fn provision_prices_fresh(priced: &PricedAccount) -> bool {
    priced.quotes.iter().all(|q| {
        q.input.debt == 0
            || (q.input.price.is_some()
                && matches!(q.source, PriceSource::Primary | PriceSource::PrimaryOnly))
    })
}

/// Book position `i`'s provision in `market` from the account's spot sums `health` (fresh
/// prices: the caller checked `provision_prices_fresh`).
pub fn book_provision(
    (account, account_key): (&mut MarginAccount, Pubkey),
    i: usize,
    (market, market_key): (&mut Market, Pubkey),
    health: &Health,
) -> Result<()> {
    let debt = debt_amount(account.positions[i].borrow_shares, market.borrow_index)?;
    let short = shortfall(health.collateral_spot, health.debt_spot);
    let tokens = provision_tokens(debt, short, health.debt_spot)?;
    set_provision((account, account_key), i, (market, market_key), tokens)
}

/// Cap position `i`'s provision at its debt (after a repayment).
pub fn cap_provision(
    (account, account_key): (&mut MarginAccount, Pubkey),
    i: usize,
    (market, market_key): (&mut Market, Pubkey),
) -> Result<()> {
    let p = account.positions[i];
    if p.provisioned == 0 {
        return Ok(());
    }
    let debt = debt_amount(p.borrow_shares, market.borrow_index)?;
    set_provision(
        (account, account_key),
        i,
        (market, market_key),
        p.provisioned.min(debt),
    )
}

/// Set position `i`'s provision to `tokens`, moving the market's sum with it.
pub fn set_provision(
    (account, account_key): (&mut MarginAccount, Pubkey),
    i: usize,
    (market, market_key): (&mut Market, Pubkey),
    tokens: u64,
) -> Result<()> {
    let old = account.positions[i].provisioned;
    if old == tokens {
        return Ok(());
    }
    let overflow = || error!(KeelError::MathOverflow);
    market.provisioned = market
        .provisioned
        .checked_sub(old)
        .and_then(|p| p.checked_add(tokens))
        .ok_or_else(overflow)?;
    account.positions[i].provisioned = tokens;
    crate::events::emit_event!(ProvisionBooked {
        margin_account: account_key,
        market: market_key,
        provisioned: tokens,
        market_provisioned: market.provisioned,
    });
    Ok(())
}
