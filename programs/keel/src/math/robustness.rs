//! Fuzzing of the pure math over the full range of its inputs, validated or not: no panic, no
//! overflow that is not an error, and where a result comes back, its bounds hold.
#![cfg(test)]
use super::fixed::{mul_div, Rounding, Wad};
use super::health::{
    compute_health, token_value, Health, OraclePrice, PositionHealthInput, PriceBand, RiskWeights,
};
use super::interest::{accrue, InterestCurve};
use super::liquidation::{
    bonus_bps, plan_liquidation, BonusConfig, LiquidationConfig, LiquidationInput, Side,
};
use super::rate_limit::{OutflowLimit, OutflowWindow};
use proptest::prelude::*;

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![Just(Rounding::Down), Just(Rounding::Up)]
}

fn price() -> impl Strategy<Value = OraclePrice> {
    (
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        -40i32..40,
        proptest::option::of((any::<u64>(), any::<u64>())),
    )
        .prop_map(
            |(price, conf, ema_price, ema_conf, expo, bound)| OraclePrice {
                price,
                conf,
                ema_price,
                ema_conf,
                expo,
                bound: bound.map(|(low, high)| PriceBand { low, high }),
            },
        )
}

fn weights() -> impl Strategy<Value = RiskWeights> {
    (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(a, b, c, d)| RiskWeights {
        init_asset_weight_bps: a,
        maint_asset_weight_bps: b,
        init_liab_weight_bps: c,
        maint_liab_weight_bps: d,
    })
}

fn health() -> impl Strategy<Value = Health> {
    proptest::array::uniform8(any::<u128>()).prop_map(|v| Health {
        collateral_init: Wad(v[0]),
        debt_init: Wad(v[1]),
        collateral_maint: Wad(v[2]),
        debt_maint: Wad(v[3]),
        collateral_value: Wad(v[4]),
        debt_value: Wad(v[5]),
        collateral_spot: Wad(v[6]),
        debt_spot: Wad(v[7]),
    })
}

fn side() -> impl Strategy<Value = Side> {
    (any::<u64>(), price(), any::<u8>(), any::<u16>()).prop_map(
        |(amount, price, decimals, weight_bps)| Side {
            amount,
            price,
            decimals,
            weight_bps,
        },
    )
}

proptest! {
    #[test]
    fn fixed_point_never_panics(a in any::<u128>(), b in any::<u128>(), c in any::<u128>(), r in rounding()) {
        let _ = mul_div(a, b, c, r);
        let _ = Wad(a).mul(Wad(b), r);
        let _ = Wad(a).div(Wad(b), r);
        let _ = Wad(a).try_add(Wad(b));
        let _ = Wad(a).try_sub(Wad(b));
        let _ = Wad(a).to_u64(r);
        if let Ok(q) = mul_div(a, b, c, r) {
            // rounding direction: down * c <= a * b <= up * c (checked on the smaller side)
            if let (Some(lhs), Some(ab)) = (q.checked_mul(c), a.checked_mul(b)) {
                match r {
                    Rounding::Down => prop_assert!(lhs <= ab),
                    Rounding::Up => prop_assert!(lhs >= ab),
                }
            }
        }
    }

    #[test]
    fn health_never_panics(amount in any::<u64>(), p in price(), decimals in any::<u8>(), r in rounding(),
                           positions in proptest::collection::vec((any::<u64>(), any::<u64>(), any::<u8>(), weights(), proptest::option::of(price())), 0..16)) {
        let _ = token_value(amount, p.price, p.expo, decimals, r);
        let inputs: Vec<PositionHealthInput> = positions
            .into_iter()
            .map(|(deposit, debt, decimals, weights, price)| PositionHealthInput { deposit, debt, decimals, weights, price })
            .collect();
        if let Ok(h) = compute_health(&inputs) {
            let _ = h.health_factor();
        }
    }

    #[test]
    fn interest_never_panics(base in any::<u32>(), s1 in any::<u32>(), s2 in any::<u32>(), kink in any::<u16>(), rf in any::<u16>(),
                             bi in any::<u128>(), di in any::<u128>(), debt in any::<u128>(), deposits in any::<u128>(), dt in any::<u64>()) {
        let curve = InterestCurve { base_rate_bps: base, slope1_bps: s1, slope2_bps: s2, optimal_util_bps: kink };
        if let Ok(a) = accrue(&curve, rf, Wad(bi), Wad(di), Wad(debt), Wad(deposits), dt) {
            prop_assert!(a.borrow_index.0 >= bi);
            prop_assert!(a.interest >= a.protocol_fee || rf > 10_000);
        }
    }

    #[test]
    fn liquidation_never_panics(h in health(), repay in side(), seize in side(),
                                min_b in any::<u16>(), max_b in any::<u16>(), fee in any::<u16>(),
                                cf in any::<u16>(), full in any::<u16>(), dust in any::<u32>(), target in any::<u16>(),
                                ramp in any::<u32>(), max_repay in any::<u64>()) {
        let bonus = BonusConfig { min_bonus_bps: min_b, max_bonus_bps: max_b, protocol_fee_bps: fee };
        let pool = LiquidationConfig { close_factor_bps: cf, full_close_hf_bps: full, dust_debt_usd: dust, target_hf_bps: target, bonus_ramp_secs: ramp, grace_secs: 0 };
        let _ = bonus_bps(&bonus);
        let input = LiquidationInput { health: h, repay, seize, bonus, pool, max_repay, fresh: true };
        if let Ok(plan) = plan_liquidation(&input) {
            prop_assert!(plan.repay <= max_repay && plan.repay <= repay.amount);
            prop_assert!(plan.seized <= seize.amount);
            prop_assert!(plan.bonus_amount <= plan.seized);
            prop_assert_eq!(plan.to_liquidator(), plan.seized);
            let base = (plan.seized - plan.bonus_amount) as u128;
            prop_assert!(plan.fee as u128 * base <= plan.repay as u128 * plan.bonus_amount as u128);
        }
    }

    #[test]
    fn outflow_never_panics(max in any::<u64>(), window in any::<u32>(), steps in proptest::collection::vec((any::<u64>(), any::<i64>(), any::<bool>()), 1..20)) {
        let limit = OutflowLimit { max_outflow: max, window_secs: window };
        let mut w = OutflowWindow::default();
        for (amount, now, out) in steps {
            if out {
                let _ = w.record(&limit, amount, now);
            } else {
                let _ = w.record_inflow(&limit, amount, now);
            }
            let _ = w.drain(&limit, now);
        }
    }

    #[test]
    fn weight_ramp_never_panics(from in any::<u16>(), to in any::<u16>(), start in any::<i64>(), end in any::<i64>(), now in any::<i64>()) {
        let v = crate::math::weight_ramp::ramped(from, to, start, end, now);
        prop_assert!(v >= from.min(to) && v <= from.max(to));
    }
}
