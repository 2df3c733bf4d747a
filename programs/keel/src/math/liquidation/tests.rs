//! Unit tests and proptests of the liquidation planner.
use super::*;
use crate::math::health::{compute_health, PositionHealthInput, RiskWeights};
use proptest::prelude::*;

const EXPO: i32 = -8;

fn weights() -> RiskWeights {
    RiskWeights {
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 8_500,
        init_liab_weight_bps: 10_000,
        maint_liab_weight_bps: 10_000,
    }
}

fn price(p: u64, conf_bps: u64) -> OraclePrice {
    OraclePrice {
        price: p,
        conf: p * conf_bps / 10_000,
        ema_price: p,
        ema_conf: p * conf_bps / 10_000,
        expo: EXPO,
        bound: None,
    }
}

fn health(coll: u64, cp: OraclePrice, debt: u64, dp: OraclePrice) -> Health {
    compute_health(&[
        PositionHealthInput {
            deposit: coll,
            debt: 0,
            decimals: 9,
            weights: weights(),
            price: Some(cp),
        },
        PositionHealthInput {
            deposit: 0,
            debt,
            decimals: 6,
            weights: weights(),
            price: Some(dp),
        },
    ])
    .unwrap()
}

fn config() -> (BonusConfig, LiquidationConfig) {
    (
        BonusConfig {
            min_bonus_bps: 250,
            max_bonus_bps: 1_000,
            protocol_fee_bps: 2_500,
        },
        LiquidationConfig {
            close_factor_bps: 5_000,
            full_close_hf_bps: 9_000,
            dust_debt_usd: 10,
            target_hf_bps: 10_200,
            bonus_ramp_secs: 600,
            grace_secs: 600,
        },
    )
}

/// Issue 27: the rate is the market's max bonus, whatever the shortfall or the time; an
/// unvalidated config with min > max reads max as min (regression, fuzzing: it panicked).
#[test]
fn the_rate_is_flat_and_never_panics() {
    let (b, _) = config();
    assert_eq!(bonus_bps(&b), 1_000);
    let inverted = BonusConfig {
        min_bonus_bps: 500,
        max_bonus_bps: 100,
        protocol_fee_bps: 20_000,
    };
    assert_eq!(bonus_bps(&inverted), 500);
}

/// Regression (audit finding 8): with zero confidence and C = 1.05 D at an 85 % weight, the old
/// two-pass cap paid 5.23 % and seized everything while ~0.2 % of the debt was left without
/// collateral. Solved directly, the bonus is C/D - 1 = 5 % and the whole debt is repaid.
#[test]
fn the_bonus_cap_repays_the_whole_debt_when_collateral_binds() {
    let (bonus, pool) = config();
    let dp = price(100_000_000, 0);
    let cp = price(8_295_000_000, 0); // 10 tokens at $82.95 = 1.05 x 790
    let (coll, debt) = (10_000_000_000, 790_000_000);
    let h = health(coll, cp, debt, dp);
    let input = LiquidationInput {
        health: h,
        repay: Side {
            amount: debt,
            price: dp,
            decimals: 6,
            weight_bps: 10_000,
        },
        seize: Side {
            amount: coll,
            price: cp,
            decimals: 9,
            weight_bps: 8_500,
        },
        bonus,
        pool,
        max_repay: u64::MAX,
        fresh: true,
    };
    let plan = plan_liquidation(&input).unwrap();
    assert_eq!(plan.bonus_bps, 500);
    assert_eq!(plan.repay, debt);
    assert_eq!(plan.seized, coll);
}

proptest! {
    // about a third of the random draws leave the account healthy and are skipped
    #![proptest_config(ProptestConfig { max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

    /// Over random accounts and price moves: a liquidation never lowers health, never seizes
    /// more than repaid * (1 + max bonus), never repays more than the debt or seizes more than
    /// the deposit, repaid + bonus = seized (all to the liquidator), and the fee, in the repay token,
    /// is the protocol's share of the bonus's worth.
    #[test]
    fn liquidation_is_sound(
        coll in 1_000_000_000u64..100_000_000_000_000,   // 1 .. 100,000 tokens (9 dec)
        start in 1_000_000u64..100_000_000_000_000,      // collateral price mantissa
        leverage_bps in 5_000u64..9_900,
        drop_bps in 0u64..9_000,
        conf_bps in 0u64..100,
        max_repay in 1u64..u64::MAX,
    ) {
        let (bonus, pool) = config();
        let dp = price(100_000_000, 10);
        // borrow leverage_bps of the initial collateral value, in USDC (6 dec)
        let before = health(coll, price(start, conf_bps), 1, dp);
        let debt = (mul_div(before.collateral_init.0, leverage_bps as u128, 10_000 * 1_000_000_000_000, Rounding::Down).unwrap() as u64).max(1);
        let crashed = price(start - start * drop_bps / 10_000, conf_bps);
        prop_assume!(crashed.price > crashed.conf);
        let h = health(coll, crashed, debt, dp);
        prop_assume!(h.is_liquidatable());
        let input = LiquidationInput {
            health: h,
            repay: Side { amount: debt, price: dp, decimals: 6, weight_bps: 10_000 },
            seize: Side { amount: coll, price: crashed, decimals: 9, weight_bps: 8_500 },
            bonus, pool, max_repay, fresh: true,
        };
        let plan = plan_liquidation(&input).unwrap();
        prop_assert!(plan.repay <= debt && plan.repay <= max_repay);
        prop_assert!(plan.seized <= coll);
        prop_assert!(plan.bonus_bps <= bonus.max_bonus_bps as u64);
        prop_assert_eq!(plan.to_liquidator(), plan.seized);
        if plan.repay == 0 {
            return Ok(());
        }
        // the fee, in the repay token, is protocol_fee of the bonus's worth at the liquidation's
        // exchange rate (repay per base), rounded up and never above the whole bonus's worth
        let base = (plan.seized - plan.bonus_amount) as u128;
        let (repay, bonus_units, fee) = (plan.repay as u128, plan.bonus_amount as u128, plan.fee as u128);
        let share = repay * bonus_units * bonus.protocol_fee_bps as u128;
        if base == 0 {
            prop_assert_eq!(fee, 0);
        } else {
            prop_assert!(fee * base <= repay * bonus_units, "fee above the bonus: {:?}", plan);
            prop_assert!(fee * base * 10_000 >= share || fee == repay * bonus_units / base,
                "fee rounded down: {:?}", plan);
            prop_assert!(fee.saturating_sub(1) * base * 10_000 < share.max(1),
                "fee more than a unit above its share: {:?}", plan);
        }
        let repaid = token_value(plan.repay, dp.price, EXPO, 6, Rounding::Up).unwrap();
        let seized = token_value(plan.seized, crashed.price, EXPO, 9, Rounding::Down).unwrap();
        prop_assert!(seized <= repaid.mul_bps(11_000, Rounding::Up).unwrap());
        // repaid + bonus = seized: the non-bonus part is worth no more than the debt repaid,
        // and the bonus part is at most max_bonus of it (+1 unit of rounding)
        let base = plan.seized - plan.bonus_amount;
        let base_value = token_value(base, crashed.price, EXPO, 9, Rounding::Down).unwrap();
        prop_assert!(base_value <= repaid);
        prop_assert!(plan.bonus_amount <= base / 10 + 1);
        let after = health(coll - plan.seized, crashed, debt - plan.repay, dp);
        // never lowers health (rounding of a one-unit repay may leave it equal)
        prop_assert!(!after.improved_by(&h), "health fell: {:?} -> {:?}", h, after);
    }

    /// Audit finding 8, as issue 27 leaves it: when the account's collateral covers its debt and
    /// the minimum bonus on it (C >= (1 + m) D at spot), a liquidation never leaves debt without
    /// collateral: if it takes the whole (only) collateral, it repays the whole debt. (Between D
    /// and (1 + m) D the minimum bonus is paid, as it is once insolvent: see below.)
    #[test]
    fn a_solvent_account_is_never_pushed_into_bad_debt(
        coll in 1_000_000u64..100_000_000_000_000,
        cp in 1_000_000u64..100_000_000_000_000,
        margin_bps in 251u64..3_000,                     // C = D * (1 + margin)
        conf_bps in 0u64..200,
        max_repay in 1u64..u64::MAX,
        cf_bps in 1u16..=10_000,
    ) {
        let (bonus, mut pool) = config();
        pool.close_factor_bps = cf_bps;
        let dp = price(100_000_000, conf_bps.min(50));
        let cprice = price(cp, conf_bps);
        let c_spot = token_value(coll, cp, EXPO, 9, Rounding::Down).unwrap();
        // debt (6 decimals, $1) worth C / (1 + margin)
        let debt = mul_div(c_spot.0, 10_000, (10_000 + margin_bps) as u128 * 1_000_000_000_000, Rounding::Down).unwrap() as u64;
        prop_assume!(debt > 0 && cprice.price > cprice.conf);
        let h = health(coll, cprice, debt, dp);
        prop_assume!(h.is_liquidatable() && h.collateral_spot >= h.debt_spot);
        let input = LiquidationInput {
            health: h,
            repay: Side { amount: debt, price: dp, decimals: 6, weight_bps: 10_000 },
            seize: Side { amount: coll, price: cprice, decimals: 9, weight_bps: 8_500 },
            bonus, pool, max_repay, fresh: true,
        };
        let plan = plan_liquidation(&input).unwrap();
        if plan.seized == coll {
            prop_assert_eq!(plan.repay, debt, "all collateral seized, debt left: {:?}", plan);
        }
        // and the account's spot surplus never turns negative
        let after = health(coll - plan.seized, cprice, debt - plan.repay, dp);
        prop_assert!(after.collateral_spot.try_add(Wad(2_000_000_000_000)).unwrap() >= after.debt_spot,
            "surplus turned negative: {:?} -> {:?}", h, after);
    }

    /// Issue 27, item 2: waiting never pays more. The same account liquidated after a further
    /// fall of its collateral is paid no higher a rate (flat rate, a cap that only falls).
    #[test]
    fn waiting_never_raises_the_rate(
        coll in 1_000_000_000u64..100_000_000_000_000,
        cp in 1_000_000u64..100_000_000_000_000,
        ratio_bps in 8_000u64..13_000,
        further_bps in 1u64..3_000,
        conf_bps in 0u64..100,
        max_repay in 1u64..u64::MAX,
    ) {
        let (bonus, pool) = config();
        let (_, now) = account_at(coll, cp, ratio_bps, conf_bps, max_repay, bonus, pool)?;
        let lower = cp - cp * further_bps / 10_000;
        let (_, later) = account_at(coll, lower, ratio_bps, conf_bps, max_repay, bonus, pool)?;
        // the same debt: `account_at` sizes it from the price, so rebuild it at the first one's
        let later = LiquidationInput {
            health: health(coll, later.seize.price, now.repay.amount, now.repay.price),
            repay: now.repay,
            ..later
        };
        prop_assume!(later.health.is_liquidatable());
        let (a, b) = (plan_liquidation(&now).unwrap(), plan_liquidation(&later).unwrap());
        prop_assume!(a.repay > 0 && b.repay > 0);
        prop_assert!(b.bonus_bps <= a.bonus_bps, "waited: {} bps, at once: {} bps", b.bonus_bps, a.bonus_bps);
    }

    /// Issue 27, item 2: an account without free equity (C < (1 + m) D at spot: insolvent, or
    /// nearly) pays exactly the minimum bonus, whatever its shortfall and however long it has been
    /// liquidatable. Before, insolvency dropped the cap and the bonus jumped to its maximum.
    #[test]
    fn an_account_without_free_equity_pays_the_minimum_bonus(
        coll in 1_000_000_000u64..100_000_000_000_000,
        cp in 1_000_000u64..100_000_000_000_000,
        ratio_bps in 5_000u64..10_250,                   // C = D * ratio
        conf_bps in 0u64..100,
        max_repay in 1u64..u64::MAX,
    ) {
        let (bonus, pool) = config();
        let (h, input) = account_at(coll, cp, ratio_bps, conf_bps, max_repay, bonus, pool)?;
        let reserve = h.debt_spot.mul_bps(bonus.min_bonus_bps as u64, Rounding::Up).unwrap();
        prop_assume!(h.collateral_spot <= h.debt_spot.try_add(reserve).unwrap());
        let plan = plan_liquidation(&input).unwrap();
        prop_assert!(plan.repay == 0 || plan.bonus_bps == bonus.min_bonus_bps as u64, "{:?}", plan);
    }

    /// Issue 27, item 2: waiting never pays more above the minimum. Liquidated to the end (every
    /// call the plan allows, at once), the bonus paid above the minimum never exceeds the
    /// account's free equity C - (1 + m) D at the start, which only shrinks as the collateral's
    /// price falls; and no capped call leaves an account with debt open and less equity than the
    /// minimum bonus on that debt (never zero equity with debt open).
    #[test]
    fn the_bonus_above_the_minimum_comes_out_of_free_equity(
        coll in 1_000_000_000u64..100_000_000_000_000,
        cp in 1_000_000u64..100_000_000_000_000,
        ratio_bps in 9_000u64..13_000,
        conf_bps in 0u64..100,
        max_repay in 1u64..u64::MAX,
        cf_bps in 1u16..=10_000,
        max_b in 250u16..1_700,
    ) {
        let (mut bonus, mut pool) = config();
        bonus.max_bonus_bps = max_b;
        pool.close_factor_bps = cf_bps;
        let (h0, mut input) = account_at(coll, cp, ratio_bps, conf_bps, max_repay, bonus, pool)?;
        let m = bonus.min_bonus_bps as u64;
        let free = |h: &Health| -> Wad {
            let owed = h.debt_spot.try_add(h.debt_spot.mul_bps(m, Rounding::Up).unwrap()).unwrap();
            h.collateral_spot.saturating_sub(owed)
        };
        let free0 = free(&h0);
        let (dp, cprice) = (input.repay.price, input.seize.price);
        let mut extra = Wad::ZERO;
        // rounding slack: a base unit of each token (seized and base round separately)
        let unit = token_value(1, cprice.price, EXPO, 9, Rounding::Up).unwrap()
            .try_add(token_value(1, dp.price, EXPO, 6, Rounding::Up).unwrap()).unwrap();
        let mut calls = 0u128;
        while input.health.is_liquidatable() && calls < 30 {
            let plan = plan_liquidation(&input).unwrap();
            if plan.repay == 0 {
                break;
            }
            calls += 1;
            let repaid = token_value(plan.repay, dp.price, EXPO, 6, Rounding::Down).unwrap();
            let bonus_value = token_value(plan.bonus_amount, cprice.price, EXPO, 9, Rounding::Down).unwrap();
            extra = extra.try_add(bonus_value.saturating_sub(repaid.mul_bps(m, Rounding::Up).unwrap())).unwrap();
            let (c, d) = (input.seize.amount - plan.seized, input.repay.amount - plan.repay);
            let after = health(c, cprice, d, dp);
            if d > 0 && free(&input.health) > Wad::ZERO && plan.bonus_bps > m {
                // a call paid above the minimum: the reserve on the debt left is intact
                let owed = after.debt_spot.try_add(after.debt_spot.mul_bps(m, Rounding::Down).unwrap()).unwrap();
                prop_assert!(after.collateral_spot.try_add(unit).unwrap() >= owed,
                    "a capped call ate the reserve: {:?} -> {:?} ({:?})", input.health, after, plan);
            }
            if c == 0 || d == 0 {
                break;
            }
            input.health = after;
            input.seize.amount = c;
            input.repay.amount = d;
        }
        let slack = Wad(unit.0 * (calls + 1) * 4);
        prop_assert!(extra <= free0.try_add(slack).unwrap(),
            "paid {:?} above the minimum from free equity {:?} in {} calls", extra, free0, calls);
    }
}

/// A liquidatable account of `coll` units (9 decimals) at price `cp` against USDC debt worth
/// C / ratio, and its plan's input.
#[allow(clippy::too_many_arguments)]
fn account_at(
    coll: u64,
    cp: u64,
    ratio_bps: u64,
    conf_bps: u64,
    max_repay: u64,
    bonus: BonusConfig,
    pool: LiquidationConfig,
) -> std::result::Result<(Health, LiquidationInput), TestCaseError> {
    let dp = price(100_000_000, conf_bps.min(50));
    let cprice = price(cp, conf_bps);
    let c_spot = token_value(coll, cp, EXPO, 9, Rounding::Down).unwrap();
    let debt = mul_div(
        c_spot.0,
        10_000,
        ratio_bps as u128 * 1_000_000_000_000,
        Rounding::Down,
    )
    .unwrap()
    .min(u64::MAX as u128 / 4) as u64;
    prop_assume!(debt > 1_000 && cprice.price > cprice.conf);
    let h = health(coll, cprice, debt, dp);
    prop_assume!(h.is_liquidatable());
    let input = LiquidationInput {
        health: h,
        repay: Side {
            amount: debt,
            price: dp,
            decimals: 6,
            weight_bps: 10_000,
        },
        seize: Side {
            amount: coll,
            price: cprice,
            decimals: 9,
            weight_bps: 8_500,
        },
        bonus,
        pool,
        max_repay,
        fresh: true,
    };
    Ok((h, input))
}
