//! The dust path of `liquidate` (see the module doc): an insolvent account whose whole collateral
//! is worth less than the dust bound is ended without an exchange.
//!
//! ```text
//! bound = max(DUST_COLLATERAL_USD, 2 * ceil(borrow_index) units of the repay debt at its high
//!             price * (1 + 20 %))       what a repay rounding to zero debt shares could be worth
//! ```
use super::apply::settle_and_tidy;
use crate::constants::{DUST_COLLATERAL_USD, MAX_BONUS_BPS};
use crate::errors::KeelError;
use crate::events::DustCollateralSwept;
use crate::math::fixed::{Rounding, Wad, WAD};
use crate::math::health::token_value;
use crate::math::health::Health;
use crate::risk::account_health::PricedAccount;
use crate::risk::bad_debt::sweep_dust;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Collateral below this (USD) cannot be liquidated usefully: the larger of DUST_COLLATERAL_USD
/// and what two whole debt shares of the repay market are worth, with the largest bonus (a repay
/// worth less than a debt share rounds to zero shares).
fn dust_bound(priced: &PricedAccount, repay_market: &Market, repay_key: &Pubkey) -> Result<Wad> {
    let floor = Wad::from_int(DUST_COLLATERAL_USD);
    let Some(price) = priced.get(repay_key).and_then(|q| q.input.price) else {
        return Ok(floor);
    };
    let units_per_share = repay_market.borrow_index.0.div_ceil(WAD) as u64;
    let two_shares = token_value(
        units_per_share.saturating_mul(2),
        price.maintenance_band().high,
        price.expo,
        repay_market.decimals,
        Rounding::Up,
    )?
    .mul_bps(10_000 + MAX_BONUS_BPS as u64, Rounding::Up)?;
    Ok(floor.max(two_shares))
}

/// The dust path: when the account is insolvent, fully priced, and its whole collateral is worth
/// less than the dust bound, sweep the seize position into its market's insurance fund and settle
/// the repay market's debt once no collateral is left. `None` when the account is not dust.
#[inline(never)]
pub(super) fn sweep_if_dust(
    account: &mut MarginAccount,
    account_key: Pubkey,
    (priced, h): (&PricedAccount, &Health),
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
) -> Result<Option<Box<DustCollateralSwept>>> {
    // a gone feed counts a collateral as zero and a held one is a stale print: neither may make
    // real collateral look like dust (every collateral freshly priced)
    let fully_priced = priced.quotes.iter().all(|q| {
        q.source != crate::oracle::rules::PriceSource::Held
            && (q.input.deposit == 0 || q.input.price.is_some())
    });
    let dust = h.is_liquidatable()
        && fully_priced
        && h.collateral_value < h.debt_value
        && h.collateral_value < dust_bound(priced, repay_market, &repay_key)?;
    if !dust {
        return Ok(None);
    }
    let si = account
        .find(&seize_key)
        .filter(|i| account.positions[*i].deposit_shares > 0)
        .ok_or_else(|| error!(KeelError::NoCollateralInSeizeMarket))?;
    let (shares, amount) = sweep_dust(account, si, seize_market)?;
    match account.find(&repay_key) {
        Some(ri) => settle_and_tidy(account, account_key, (ri, si), (repay_market, repay_key))?,
        None => account.remove_if_empty(si),
    }
    Ok(Some(Box::new(DustCollateralSwept {
        margin_account: account_key,
        market: seize_key,
        shares,
        amount,
        collateral_value: h.collateral_value,
        debt_value: h.debt_value,
    })))
}
