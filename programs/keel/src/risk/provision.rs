//! Booking and releasing provisions (math/provision.rs): the expected loss of an insolvent
//! account, carried by each of its debt positions and summed on the market, so withdrawals pay
//! at the index marked down by it while it stands (issue 27, item 6).
//!
//! ```text
//! booked   by liquidate (its repay market, on the post-state) and by book_provision (any debt
//!          market, permissionless, while liquidation is open), only from fresh Pyth prices on
//!          every position but held dust collateral; solvent -> 0
//! capped   at the debt left by repay and execute_order (a smaller debt cannot lose more)
//! released when the debt is written off (risk/bad_debt.rs) or the position repaid in full
//! ```
use crate::constants::DUST_COLLATERAL_USD;
use crate::errors::KeelError;
use crate::events::ProvisionBooked;
use crate::math::fixed::{Rounding, Wad};
use crate::math::health::{token_value, Health};
use crate::math::provision::{provision_tokens, shortfall};
use crate::math::shares::debt_amount;
use crate::oracle::rules::PriceSource;
use crate::risk::account_health::PricedAccount;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// True when every position is priced by a fresh Pyth update (alone or with its second source
/// agreeing), except collateral held at a price at which it is dust (worth less than
/// `DUST_COLLATERAL_USD`): what a booking, up or down, may rely on. Anyone can post a fresh
/// Pyth update for a position in the same transaction. A held, second-source-only, diverging or
/// missing price could fake a loss (and haircut withdrawals: second attack review, issue 27)
/// or release a real one (and let lenders out at par); a dust deposit in a silent market cannot
/// hold a booking off (first attack review).
pub fn provision_prices_fresh(priced: &PricedAccount) -> bool {
    priced
        .quotes
        .iter()
        .all(|q| match (q.source, q.input.price) {
            (PriceSource::Primary | PriceSource::PrimaryOnly, Some(_)) => true,
            (PriceSource::Held, Some(p)) if q.input.debt == 0 => token_value(
                q.input.deposit,
                p.price,
                p.expo,
                q.input.decimals,
                Rounding::Up,
            )
            .is_ok_and(|v| v < Wad::from_int(DUST_COLLATERAL_USD)),
            _ => false,
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
