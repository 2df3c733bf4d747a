//! Volatility-aware initial margin: the initial requirement widens with the oracle's own signals
//! of a fast market, the width of its band and the gap between spot and EMA.
//!
//! ```text
//! vol_bps    = ceil(max(p - maint.low, maint.high - p, |p - ema|) * 10^4 / p)
//! extra_bps  = min(cap_bps, ceil(max(0, vol_bps - floor_bps) * mult_bps / 10^4))
//! init asset weight' = floor(init_asset_weight * (10^4 - extra_bps) / 10^4)
//! init liab weight'  = min(65_535, ceil(init_liab_weight * (10^4 + extra_bps) / 10^4))
//! maintenance weights: unchanged
//! ```
//! Why it is safe: `extra_bps >= 0`, so the initial collateral weight only falls and the initial
//! borrow weight only rises; the maintenance weights are not touched, so no account becomes
//! liquidatable through this rule, and the configured order (initial <= maintenance for
//! collateral, initial >= maintenance for debt) still holds. `floor_bps` is the volatility the
//! configured initial weight already prices (a calm market pays nothing extra). The band includes a second source's
//! view (oracle/rules.rs), so two disagreeing sources read as volatility too. `cap_bps`
//! (at most 50 %) keeps a spike from freezing borrowing altogether. A proptest below checks all
//! of this over every input.
use super::fixed::wide_mul;
use super::health::{OraclePrice, RiskWeights};
use crate::state::OracleGuard;

/// The widest of the price's distances: to its band's ends and to its EMA (mantissa units).
fn widest_move(p: &OraclePrice) -> u64 {
    let band = p.maintenance_band();
    (p.price - band.low.min(p.price))
        .max(band.high.saturating_sub(p.price))
        .max(p.price.abs_diff(p.ema_price))
}

/// The price's volatility signal, bps of spot (rounded up; 10^4 and above for a band as wide as
/// the price).
pub fn volatility_bps(p: &OraclePrice) -> u64 {
    if p.price == 0 {
        return u64::MAX;
    }
    let widest = widest_move(p);
    // a 64-bit division when the product fits (a 128-bit one is a costly routine on SBF)
    match widest.checked_mul(10_000) {
        Some(n) => n.div_ceil(p.price),
        None => {
            u64::try_from(wide_mul(widest, 10_000).div_ceil(p.price as u128)).unwrap_or(u64::MAX)
        }
    }
}

/// True when the price's volatility is within `floor_bps` (the common, calm case), decided with
/// one widening multiplication each side and no division.
fn within_floor(p: &OraclePrice, floor_bps: u16) -> bool {
    p.price > 0 && wide_mul(widest_move(p), 10_000) <= wide_mul(floor_bps as u64, p.price)
}

/// The extra initial haircut, bps: `min(cap, ceil((vol - floor)+ * mult / 10^4))`.
pub fn extra_haircut_bps(vol_bps: u64, guard: &OracleGuard) -> u16 {
    let excess = vol_bps.saturating_sub(guard.vol_margin_floor_bps as u64);
    let cap_bps = guard.vol_margin_cap_bps;
    // past 10^4 x the cap the haircut is the cap whatever the multiplier (and the product fits)
    let excess = excess.min(cap_bps as u64 * 10_000 + 1);
    let extra = (excess * guard.vol_margin_mult_bps as u64).div_ceil(10_000);
    extra.min(cap_bps as u64) as u16
}

/// `weights` with the initial ones tightened by `extra_bps` (the maintenance ones unchanged).
pub fn tighten_initial(weights: RiskWeights, extra_bps: u16) -> RiskWeights {
    if extra_bps == 0 {
        return weights;
    }
    let extra = extra_bps.min(10_000) as u32;
    let asset = weights.init_asset_weight_bps as u32 * (10_000 - extra) / 10_000;
    let liab = (weights.init_liab_weight_bps as u32 * (10_000 + extra)).div_ceil(10_000);
    RiskWeights {
        init_asset_weight_bps: asset as u16,
        init_liab_weight_bps: liab.min(u16::MAX as u32) as u16,
        ..weights
    }
}

/// The weights the initial requirement uses for a position priced at `price`, under `guard`.
pub fn initial_weights(
    weights: RiskWeights,
    price: &OraclePrice,
    guard: &OracleGuard,
) -> RiskWeights {
    if guard.vol_margin_mult_bps == 0
        || guard.vol_margin_cap_bps == 0
        || within_floor(price, guard.vol_margin_floor_bps)
    {
        return weights;
    }
    tighten_initial(weights, extra_haircut_bps(volatility_bps(price), guard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::health::{compute_health, PositionHealthInput, PriceBand};
    use proptest::prelude::*;

    #[test]
    fn a_calm_price_costs_little_and_a_wild_one_is_capped() {
        let calm = OraclePrice {
            price: 100_000,
            conf: 100,
            ema_price: 100_000,
            ema_conf: 100,
            expo: -3,
            bound: None,
        };
        let g = |floor, mult, cap| OracleGuard {
            vol_margin_floor_bps: floor,
            vol_margin_mult_bps: mult,
            vol_margin_cap_bps: cap,
            ..OracleGuard::default()
        };
        assert_eq!(volatility_bps(&calm), 10);
        assert_eq!(extra_haircut_bps(10, &g(0, 20_000, 1_000)), 20);
        assert_eq!(extra_haircut_bps(10, &g(50, 20_000, 1_000)), 0);
        assert_eq!(extra_haircut_bps(300, &g(50, 20_000, 1_000)), 500);
        let wild = OraclePrice {
            ema_price: 80_000,
            ..calm
        };
        assert_eq!(volatility_bps(&wild), 2_000);
        assert_eq!(extra_haircut_bps(2_000, &g(50, 20_000, 1_000)), 1_000);
        let w = RiskWeights {
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 8_500,
            init_liab_weight_bps: 10_000,
            maint_liab_weight_bps: 10_000,
        };
        let t = initial_weights(w, &wild, &g(50, 20_000, 1_000));
        assert_eq!(t.init_asset_weight_bps, 7_200);
        assert_eq!(t.init_liab_weight_bps, 11_000);
        assert_eq!(initial_weights(w, &wild, &g(50, 0, 1_000)), w);
    }

    proptest! {
        /// The rule never loosens anything and never touches maintenance: over every price,
        /// band, EMA, weights and parameters, the initial collateral weight does not rise, the
        /// initial borrow weight does not fall, the maintenance weights are the configured ones,
        /// and the account's maintenance health is exactly what it was.
        #[test]
        fn volatility_only_tightens_the_initial_requirement(
            price in 1u64..1_000_000_000_000, conf in 0u64..1_000_000_000_000,
            ema in 1u64..1_000_000_000_000, bound in proptest::option::of((0u64..1_000_000_000_000, 0u64..1_000_000_000_000)),
            w in (0u16..=10_000, 0u16..=10_000, 10_000u16..=50_000, 10_000u16..=50_000),
            floor in any::<u16>(), mult in any::<u16>(), cap in 0u16..=5_000,
            deposit in 0u64..1_000_000_000_000, debt in 0u64..1_000_000_000_000,
        ) {
            let p = OraclePrice { price, conf, ema_price: ema, ema_conf: conf, expo: -6,
                bound: bound.map(|(low, high)| PriceBand { low, high }) };
            let weights = RiskWeights {
                init_asset_weight_bps: w.0.min(w.1), maint_asset_weight_bps: w.0.max(w.1),
                init_liab_weight_bps: w.2.max(w.3), maint_liab_weight_bps: w.2.min(w.3),
            };
            let guard = OracleGuard {
                vol_margin_floor_bps: floor, vol_margin_mult_bps: mult, vol_margin_cap_bps: cap,
                ..OracleGuard::default()
            };
            let t = initial_weights(weights, &p, &guard);
            prop_assert!(t.init_asset_weight_bps <= weights.init_asset_weight_bps);
            prop_assert!(t.init_liab_weight_bps >= weights.init_liab_weight_bps);
            prop_assert_eq!(t.maint_asset_weight_bps, weights.maint_asset_weight_bps);
            prop_assert_eq!(t.maint_liab_weight_bps, weights.maint_liab_weight_bps);
            // the haircut is bounded by the cap
            prop_assert!(
                t.init_asset_weight_bps as u64 * 10_000
                    >= (weights.init_asset_weight_bps as u64 * (10_000 - cap as u64)).saturating_sub(10_000)
            );
            let pos = |weights| PositionHealthInput { deposit, debt, decimals: 6, weights, price: Some(p) };
            if let (Ok(before), Ok(after)) = (compute_health(&[pos(weights)]), compute_health(&[pos(t)])) {
                prop_assert_eq!(before.collateral_maint, after.collateral_maint);
                prop_assert_eq!(before.debt_maint, after.debt_maint);
                prop_assert!(after.collateral_init <= before.collateral_init);
                prop_assert!(after.debt_init >= before.debt_init);
                prop_assert!(after.collateral_init <= after.collateral_maint);
                prop_assert!(after.debt_init >= after.debt_maint);
            }
        }
    }
}
