//! Size-aware initial collateral weight (marginfi's `total_asset_value_init_limit`): past a USD
//! limit on a market's total deposits, the market's initial collateral weight scales down, so
//! one whale's collateral cannot dominate what the pool lends against.
//!
//! ```text
//! value   = total deposits * spot price          (USD, rounded up: the larger value)
//! w_init' = w_init                               when limit = 0 (none) or value <= limit
//!         = floor(w_init * limit / value)        otherwise
//! maintenance weights: unchanged
//! ```
//! So the market's deposits together never back more than `w_init * limit` of new borrowing,
//! whatever their size. Why it is safe: the weight only falls, and only the initial one; no
//! account becomes liquidatable through this rule (a proptest below checks it all).
use super::fixed::{mul_div, Rounding, Wad, WAD};
use super::health::{token_value, OraclePrice, RiskWeights};
use super::interest::shares_value;
use super::volatility::initial_weights;
use crate::state::OracleGuard;
use anchor_lang::prelude::*;

/// The weights a position in a priced market is valued with, by the program and the SDK alike:
/// those in force (`in_force`), the initial ones tightened by the price's volatility
/// (math/volatility.rs) and, past the market's `limit_usd`, the initial collateral weight by the
/// size of its deposits (`deposit_shares` at `deposit_index`, the index accrued to now: read
/// only when a limit is set).
#[inline(always)]
pub fn priced_weights(
    in_force: RiskWeights,
    price: &OraclePrice,
    guard: &OracleGuard,
    (limit_usd, decimals): (u64, u8),
    deposits: impl FnOnce() -> Result<(u128, Wad)>,
) -> Result<RiskWeights> {
    let weights = initial_weights(in_force, price, guard);
    if limit_usd == 0 {
        return Ok(weights);
    }
    let (shares, index) = deposits()?;
    let total = shares_value(shares, index)?.to_u64(Rounding::Up)?;
    size_aware_weights(weights, total, decimals, price, limit_usd)
}

/// `w_init` scaled for a market whose deposits are worth `value` (USD) under `limit_usd`.
pub fn size_aware_init_weight(weight_bps: u16, value: Wad, limit_usd: u64) -> u16 {
    let limit = limit_usd as u128 * WAD;
    if limit_usd == 0 || value.0 <= limit {
        return weight_bps;
    }
    // value > limit >= 0, so the quotient is below weight_bps
    mul_div(weight_bps as u128, limit, value.0, Rounding::Down).map_or(0, |w| w as u16)
}

/// `weights` with the initial collateral weight scaled for a market holding `total_deposits`
/// base units (`decimals`) at `price`, under `limit_usd` (0: none).
pub fn size_aware_weights(
    weights: RiskWeights,
    total_deposits: u64,
    decimals: u8,
    price: &OraclePrice,
    limit_usd: u64,
) -> Result<RiskWeights> {
    if limit_usd == 0 {
        return Ok(weights);
    }
    let value = token_value(
        total_deposits,
        price.price,
        price.expo,
        decimals,
        Rounding::Up,
    )?;
    Ok(RiskWeights {
        init_asset_weight_bps: size_aware_init_weight(
            weights.init_asset_weight_bps,
            value,
            limit_usd,
        ),
        ..weights
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let usd = |n: u64| Wad::from_int(n);
        assert_eq!(
            size_aware_init_weight(8_000, usd(500), 1_000),
            8_000,
            "under the limit"
        );
        assert_eq!(
            size_aware_init_weight(8_000, usd(1_000), 1_000),
            8_000,
            "at the limit"
        );
        assert_eq!(
            size_aware_init_weight(8_000, usd(2_000), 1_000),
            4_000,
            "twice the limit: half"
        );
        assert_eq!(
            size_aware_init_weight(8_000, usd(3_000), 1_000),
            2_666,
            "rounded down"
        );
        assert_eq!(
            size_aware_init_weight(8_000, usd(u64::MAX), 0),
            8_000,
            "no limit"
        );
    }

    proptest! {
        /// The weight never rises; it is untouched within the limit; past it, the market's whole
        /// initial collateral value (weight x value) stays within weight x limit; a larger market
        /// never gets a larger weight.
        #[test]
        fn only_ever_lowers_and_caps_the_markets_borrowing_power(
            w in 0u16..=10_000,
            value in 0u64..=u64::MAX / 4,
            more in 0u64..1_000_000_000,
            limit in 0u64..=u64::MAX / 4,
        ) {
            let v = Wad::from_int(value);
            let scaled = size_aware_init_weight(w, v, limit);
            prop_assert!(scaled <= w);
            if limit == 0 || value <= limit {
                prop_assert_eq!(scaled, w);
            } else {
                prop_assert!(scaled as u128 * value as u128 <= w as u128 * limit as u128);
            }
            let bigger = size_aware_init_weight(w, Wad::from_int(value.saturating_add(more)), limit);
            prop_assert!(bigger <= scaled);
        }
    }
}
