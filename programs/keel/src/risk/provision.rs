//! Booking and releasing provisions (math/provision.rs): the expected loss of an insolvent
//! account, carried by each of its debt positions and summed on the market, so withdrawals pay
//! at the index marked down by it while it stands (issue 27, item 6).
//!
//! ```text
//! booked   by liquidate (its repay market, on the post-state) and by book_provision (any debt
//!          market, permissionless, while liquidation is open): ceil(debt * (D_spot - C_low) /
//!          D_spot), every debt priced by a fresh Pyth update; down (to 0 when solvent) only when
//!          every position is, up also with a held or second-source collateral (`Booking`)
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

/// What a booking may do with the account's prices (attack reviews of issue 27).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Booking {
    /// Every position by a fresh Pyth update: the provision moves either way.
    Either,
    /// Every debt by a fresh Pyth update, some collateral held (a stale or too-wide feed) or by
    /// its second source: the provision may only rise. A borrower cannot hold a booking off with
    /// a collateral no fresh update can cure (a feed too wide in a crash, a cranked second
    /// source), and a stale price cannot release a real loss.
    RiseOnly,
    /// A debt not priced by a fresh Pyth update, or a collateral with no price at all (its feed
    /// gone: anyone can post a fresh update): no booking, it could fake a loss or hide one.
    Refused,
}

/// How `priced` may book a provision.
pub fn booking(priced: &PricedAccount) -> Booking {
    let mut either = true;
    for q in &priced.quotes {
        let fresh = q.input.price.is_some()
            && matches!(q.source, PriceSource::Primary | PriceSource::PrimaryOnly);
        if fresh {
            continue;
        }
        if q.input.debt > 0 || q.input.price.is_none() {
            return Booking::Refused;
        }
        either = false;
    }
    match either {
        true => Booking::Either,
        false => Booking::RiseOnly,
    }
}

/// Book position `i`'s provision in `market` from the account's sums `health`: its share of
/// `D_spot - C_low` (collateral at the low end of its band, held or second-source prices
/// included, so the loss is never understated), rising only under `Booking::RiseOnly`.
pub fn book_provision(
    (account, account_key): (&mut MarginAccount, Pubkey),
    i: usize,
    (market, market_key): (&mut Market, Pubkey),
    (health, how): (&Health, Booking),
) -> Result<()> {
    let debt = debt_amount(account.positions[i].borrow_shares, market.borrow_index)?;
    let short = shortfall(health.collateral_value, health.debt_spot);
    let mut tokens = provision_tokens(debt, short, health.debt_spot)?;
    if how == Booking::RiseOnly {
        tokens = tokens.max(account.positions[i].provisioned.min(debt));
    }
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
