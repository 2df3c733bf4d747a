//! Price every position of a margin account from `remaining_accounts` and compute its health.
//!
//! ```text
//! remaining_accounts = [market_0, price_0, market_1, price_1, ...]   one pair per active position,
//!                      in position order: the positions as they stood before the instruction,
//!                      plus the instruction's market at the end when it opened a new position
//!                      (an emptied position is removed only after the check)
//! for each i:  market_i.key == positions[i].market  and  market_i is a Market of this pool
//!              price_i passes the market's oracle checks (oracle/pyth.rs)
//! deposit_i = floor(deposit_shares_i * deposit_index_i(now))   indices projected to now
//! debt_i    = ceil(borrow_shares_i  * borrow_index_i(now))
//! ```
//! `PriceMode::Initial` (borrow, withdraw): an unusable oracle on a position without debt counts
//! its collateral as zero; one on a position with debt refuses the instruction.
//! `PriceMode::Strict` (health reports, liquidation): any unusable oracle refuses.
use crate::errors::KeelError;
use crate::math::fixed::Wad;
use crate::math::health::{Health, PositionHealthInput};
use crate::math::shares::{debt_amount, deposit_amount};
use crate::oracle::pyth::load_pyth_price;
use crate::state::{MarginAccount, Market, Position};
use anchor_lang::prelude::*;

/// How an unusable oracle is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceMode {
    /// Borrow and withdraw: collateral without a price counts zero; debt without a price refuses.
    Initial,
    /// Reports and liquidation: every position needs a valid price.
    Strict,
}

/// A market the instruction already holds (and may have changed in memory this instruction).
pub struct LoadedMarket<'a> {
    /// Its address.
    pub key: Pubkey,
    /// Its current state.
    pub market: &'a Market,
}

/// Verify `remaining` against the account's positions and compute its health at `now`.
pub fn account_health(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    loaded: &[LoadedMarket],
    now: i64,
    mode: PriceMode,
) -> Result<Health> {
    let positions = account.active();
    require!(
        remaining.len() == positions.len() * 2,
        KeelError::RemainingAccountsCount
    );
    let mut health = Health::default();
    for (i, position) in positions.iter().enumerate() {
        let input = price_position(
            account,
            position,
            &remaining[2 * i],
            &remaining[2 * i + 1],
            loaded,
            now,
            mode,
        )?;
        health.add_position(&input)?;
    }
    Ok(health)
}

/// Verify one (market, price) pair against `position` and turn it into a health input.
fn price_position(
    account: &MarginAccount,
    position: &Position,
    market_info: &AccountInfo,
    price_info: &AccountInfo,
    loaded: &[LoadedMarket],
    now: i64,
    mode: PriceMode,
) -> Result<PositionHealthInput> {
    require_keys_eq!(
        *market_info.key,
        position.market,
        KeelError::RemainingAccountMismatch
    );
    let fetched;
    let market: &Market = match loaded.iter().find(|l| l.key == position.market) {
        Some(l) => l.market,
        None => {
            fetched = load_market(market_info)?;
            &fetched
        }
    };
    require_keys_eq!(market.pool, account.pool, KeelError::WrongPool);
    let (deposit_index, borrow_index) = current_indices(market, now)?;
    let deposit = deposit_amount(position.deposit_shares, deposit_index)?;
    let debt = debt_amount(position.borrow_shares, borrow_index)?;
    let price = match load_pyth_price(price_info, &market.config.oracle, now) {
        Ok(p) => Some(p),
        Err(e) if mode == PriceMode::Initial && debt == 0 && is_quality_error(&e) => {
            msg!(
                "position {}: oracle unusable, collateral counted as zero",
                position.market
            );
            None
        }
        Err(e) => return Err(e),
    };
    Ok(PositionHealthInput {
        deposit,
        debt,
        decimals: market.decimals,
        weights: market.config.weights,
        price,
    })
}

/// Deserialize a `Market` from an account, checking owner and discriminator (on the heap: a
/// market is too large to copy onto the 4 KiB SBF stack frame).
fn load_market(info: &AccountInfo) -> Result<Box<Market>> {
    require_keys_eq!(*info.owner, crate::ID, KeelError::RemainingAccountMismatch);
    let data = info.try_borrow_data()?;
    Market::try_deserialize(&mut &data[..])
        .map(Box::new)
        .map_err(|_| error!(KeelError::RemainingAccountMismatch))
}

/// The market's indices with interest projected to `now`.
fn current_indices(market: &Market, now: i64) -> Result<(Wad, Wad)> {
    let step = market.projected_accrual(now)?;
    Ok((step.deposit_index, step.borrow_index))
}

/// Stale or too-uncertain prices are oracle *quality* failures; a wrong owner, feed or account is
/// a spoofing attempt and is always refused.
fn is_quality_error(e: &Error) -> bool {
    let stale: Error = KeelError::OracleStale.into();
    let wide: Error = KeelError::OracleConfidenceTooWide.into();
    *e == stale || *e == wide
}
