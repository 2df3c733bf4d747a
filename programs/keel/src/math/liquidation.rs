//! Liquidation amounts: bonus, close factor, the repay that reaches the target, and the seizure.
//!
//! ```text
//! health difference H = C_w - D_w (maintenance, weighted); liquidatable iff H < 0 (HF < 1)
//! shortfall = 1 - HF                       (0 when healthy)
//! ramp      = min(1, seconds liquidatable / ramp_secs)
//! bonus     = clamp(min_bonus + shortfall + (max_bonus - min_bonus) * ramp,  min_bonus, max_bonus)
//!             then, if the account is solvent at raw values (C_raw >= D_raw), capped at
//!             (C_raw - D_raw) / repay_value so the seizure cannot create bad debt
//!
//! repay (base units of the debt token) = min of
//!   max_repay                                   what the liquidator offers
//!   d                                           the debt in the repay market
//!   d * cf * D_raw / V_d_raw                    close factor cf of the account's whole debt value
//!                                               (cf = 100% when HF < full_close_hf or D_raw < dust)
//!   d * (T*D_w - C_w) / (T*V_d_w - V_c_w)       the repay that brings HF to the target T, where
//!                                               V_d_w = weighted debt value of all d,
//!                                               V_c_w = weighted collateral value seized for all d
//!   ceil(d * V_c_spot / (V_d_spot * (1 + bonus)))  what the seize position can pay for; when this
//!                                               binds, the whole position is seized (no dust left)
//!
//! seized      = floor(c * V_spot(repay) * (1 + bonus) / V_c_spot)   taken from the liquidatee
//! base        = floor(c * V_spot(repay) / V_c_spot)                 the repaid value in collateral
//! bonus part  = seized - base;  fee = floor(bonus part * protocol_fee);  liquidator gets seized - fee
//! so: repaid (base) + bonus part = seized = liquidator's + fee, to the unit
//! ```
//! Spot prices set the exchange (neither side gains from the confidence band); the conservative
//! bands set health. The program re-checks the outcome against the real post-state.
use super::fixed::{mul_div, Rounding, Wad};
use super::health::{token_value, Health, OraclePrice};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Pool-wide liquidation parameters.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct LiquidationConfig {
    /// Largest share of an account's debt value one call may repay, bps.
    pub close_factor_bps: u16,
    /// Below this health factor (bps) the close factor is 100%.
    pub full_close_hf_bps: u16,
    /// Below this debt value (whole USD) the close factor is 100%, so no dust is left.
    pub dust_debt_usd: u32,
    /// A liquidation may not lift the health factor above this (bps, >= 100%).
    pub target_hf_bps: u16,
    /// Seconds for the time part of the bonus to ramp from min to max.
    pub bonus_ramp_secs: u32,
    /// Seconds after liquidation resumes before it opens again (traders repair health).
    pub grace_secs: u32,
}

/// Per-market (seize side) bonus parameters.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct BonusConfig {
    /// Smallest bonus paid, bps of the repaid value.
    pub min_bonus_bps: u16,
    /// Largest bonus paid, bps.
    pub max_bonus_bps: u16,
    /// Protocol's share of the bonus (to the insurance fund), bps.
    pub protocol_fee_bps: u16,
}

/// One side of a liquidation: an amount, its price, decimals and maintenance weight.
#[derive(Clone, Copy, Debug)]
pub struct Side {
    /// Debt (repay side) or deposit (seize side), base units.
    pub amount: u64,
    /// Validated price.
    pub price: OraclePrice,
    /// Mint decimals.
    pub decimals: u8,
    /// Maintenance weight: borrow weight (repay side) or collateral weight (seize side), bps.
    pub weight_bps: u16,
}

/// Everything the plan depends on.
#[derive(Clone, Copy, Debug)]
pub struct LiquidationInput {
    /// The account's health before.
    pub health: Health,
    /// Debt in the repay market.
    pub repay: Side,
    /// Deposit in the seize market.
    pub seize: Side,
    /// Seize market's bonus parameters.
    pub bonus: BonusConfig,
    /// Pool parameters.
    pub pool: LiquidationConfig,
    /// Seconds since the account was first seen liquidatable.
    pub elapsed_secs: u64,
    /// Most the liquidator will repay, base units.
    pub max_repay: u64,
}

/// What a liquidation moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Debt repaid by the liquidator, base units of the debt token.
    pub repay: u64,
    /// Collateral taken from the liquidatee, base units of the collateral token.
    pub seized: u64,
    /// Part of `seized` that is the bonus.
    pub bonus_amount: u64,
    /// Part of the bonus to the insurance fund.
    pub fee: u64,
    /// Bonus applied, bps.
    pub bonus_bps: u64,
    /// The debt was dust: the whole of it may go, past the target.
    pub dust: bool,
}

impl LiquidationPlan {
    /// Collateral the liquidator receives.
    pub fn to_liquidator(&self) -> u64 {
        self.seized - self.fee
    }
}

/// The bonus before the bad-debt cap, bps: grows with the shortfall and with time.
pub fn bonus_bps(
    bonus: &BonusConfig,
    health_factor: Wad,
    elapsed_secs: u64,
    ramp_secs: u32,
) -> Result<u64> {
    let min = bonus.min_bonus_bps as u64;
    // validated configs have min <= max; a pure function must not panic on one that has not been
    let max = (bonus.max_bonus_bps as u64).max(min);
    let shortfall = Wad::ONE.saturating_sub(health_factor);
    let shortfall_bps = mul_div(shortfall.0, 10_000, Wad::ONE.0, Rounding::Down)? as u64;
    let ramp_bps = if ramp_secs == 0 {
        max - min
    } else {
        mul_div(
            (max - min) as u128,
            elapsed_secs.min(ramp_secs as u64) as u128,
            ramp_secs as u128,
            Rounding::Down,
        )? as u64
    };
    Ok((min + shortfall_bps + ramp_bps).clamp(min, max))
}

/// `d * num / den` in base units, rounded down; `u64::MAX` when `den` is zero (no bound).
fn portion(d: u64, num: Wad, den: Wad) -> Result<u64> {
    portion_rounded(d, num, den, Rounding::Down)
}

fn portion_rounded(d: u64, num: Wad, den: Wad, rounding: Rounding) -> Result<u64> {
    if den == Wad::ZERO {
        return Ok(u64::MAX);
    }
    Ok(mul_div(d as u128, num.0, den.0, rounding)?.min(u64::MAX as u128) as u64)
}

/// Spot and raw values of the two positions.
struct Values {
    /// Whole repay-side debt at spot.
    debt_spot: Wad,
    /// Whole seize-side deposit at spot.
    collateral_spot: Wad,
    /// Whole repay-side debt at the maintenance band's high price.
    debt_raw: Wad,
}

/// The binding repay amount and whether it is the seize position's size.
struct RepayLimit {
    repay: u64,
    takes_all: bool,
}

/// Plan a liquidation; errors only on arithmetic failure. A zero `repay` means nothing can be done.
pub fn plan_liquidation(input: &LiquidationInput) -> Result<LiquidationPlan> {
    require!(input.repay.amount > 0, KeelError::NoDebt);
    require!(input.seize.amount > 0, KeelError::NoCollateralInSeizeMarket);
    let hf = input.health.health_factor()?;
    let values = position_values(input)?;
    let dust = input.health.debt_value < Wad::from_int(input.pool.dust_debt_usd as u64);
    let cf_limit = close_factor_limit(input, hf, &values, dust)?;
    let mut bonus = bonus_bps(
        &input.bonus,
        hf,
        input.elapsed_secs,
        input.pool.bonus_ramp_secs,
    )?;
    // two passes: the bad-debt cap lowers the bonus, which can only raise the other limits
    let mut limit = repay_limit(input, &values, bonus, dust, cf_limit)?;
    if limit.repay > 0 {
        if let Some(cap) = bad_debt_cap(input, limit.repay, bonus)? {
            bonus = cap;
            limit = repay_limit(input, &values, bonus, dust, cf_limit)?;
        }
    }
    if limit.repay == 0 {
        return Ok(LiquidationPlan {
            dust,
            ..LiquidationPlan::default()
        });
    }
    amounts(input, &values, &limit, bonus, dust)
}

fn position_values(input: &LiquidationInput) -> Result<Values> {
    let (r, s) = (&input.repay, &input.seize);
    let debt_spot = token_value(
        r.amount,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Down,
    )?;
    let collateral_spot = token_value(
        s.amount,
        s.price.price,
        s.price.expo,
        s.decimals,
        Rounding::Down,
    )?;
    let high = r.price.maintenance_band().high;
    let debt_raw = token_value(r.amount, high, r.price.expo, r.decimals, Rounding::Up)?;
    require!(
        collateral_spot > Wad::ZERO && debt_spot > Wad::ZERO,
        KeelError::OracleNonPositivePrice
    );
    Ok(Values {
        debt_spot,
        collateral_spot,
        debt_raw,
    })
}

/// Close factor of the account's whole debt value, converted to repay-side base units.
fn close_factor_limit(
    input: &LiquidationInput,
    hf: Wad,
    values: &Values,
    dust: bool,
) -> Result<u64> {
    let full = dust || hf < Wad::from_bps(input.pool.full_close_hf_bps as u64);
    let cf_bps = if full {
        10_000
    } else {
        input.pool.close_factor_bps as u64
    };
    let allowed = input.health.debt_value.mul_bps(cf_bps, Rounding::Down)?;
    portion(input.repay.amount, allowed, values.debt_raw)
}

/// The smallest of the liquidator's offer, the debt, the close factor, the target and the
/// seize position's size.
fn repay_limit(
    input: &LiquidationInput,
    values: &Values,
    bonus: u64,
    dust: bool,
    cf_limit: u64,
) -> Result<RepayLimit> {
    let (r, s, h) = (&input.repay, &input.seize, &input.health);
    let one_plus = Wad::from_bps(10_000 + bonus);
    // collateral-health value seized if all of d were repaid: V_d_spot * (1+b) * (p_c_low / p_c_spot) * w_c
    let seized_spot = values.debt_spot.mul(one_plus, Rounding::Up)?;
    let low = s.price.maintenance_band().low;
    let seized_low = Wad(mul_div(
        seized_spot.0,
        low as u128,
        s.price.price as u128,
        Rounding::Up,
    )?);
    let v_c_w = seized_low.mul_bps(s.weight_bps as u64, Rounding::Up)?;
    let v_d_w = values
        .debt_raw
        .mul_bps(r.weight_bps as u64, Rounding::Down)?;
    let target = Wad::from_bps(input.pool.target_hf_bps as u64);
    let num = target
        .mul(h.debt_maint, Rounding::Down)?
        .saturating_sub(h.collateral_maint);
    let den = target.mul(v_d_w, Rounding::Down)?.saturating_sub(v_c_w);
    let target_limit = if dust {
        u64::MAX
    } else {
        portion(r.amount, num, den)?
    };
    // rounded up: when it binds the liquidator pays for the whole position, which is seized
    let collateral_limit =
        portion_rounded(r.amount, values.collateral_spot, seized_spot, Rounding::Up)?;
    let repay = input
        .max_repay
        .min(r.amount)
        .min(cf_limit)
        .min(target_limit)
        .min(collateral_limit);
    Ok(RepayLimit {
        repay,
        takes_all: repay == collateral_limit,
    })
}

/// `Some(lower bonus)` when the bonus would create bad debt: b <= (C_raw - D_raw) / repay value.
fn bad_debt_cap(input: &LiquidationInput, repay: u64, bonus: u64) -> Result<Option<u64>> {
    let h = &input.health;
    if h.collateral_value < h.debt_value {
        return Ok(None); // already insolvent: the shortfall is bad debt either way
    }
    let r = &input.repay;
    let repay_value = token_value(repay, r.price.price, r.price.expo, r.decimals, Rounding::Up)?;
    let room = h.collateral_value.try_sub(h.debt_value)?;
    let cap = mul_div(room.0, 10_000, repay_value.0, Rounding::Down)?.min(u64::MAX as u128) as u64;
    Ok((cap < bonus).then_some(cap))
}

/// Seized, bonus and fee amounts for a repay.
fn amounts(
    input: &LiquidationInput,
    values: &Values,
    limit: &RepayLimit,
    bonus: u64,
    dust: bool,
) -> Result<LiquidationPlan> {
    let (r, s) = (&input.repay, &input.seize);
    let repay_spot = token_value(
        limit.repay,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Down,
    )?;
    let with_bonus = repay_spot.mul(Wad::from_bps(10_000 + bonus), Rounding::Down)?;
    let c = values.collateral_spot.0;
    let seized = if limit.takes_all {
        s.amount
    } else {
        (mul_div(s.amount as u128, with_bonus.0, c, Rounding::Down)? as u64).min(s.amount)
    };
    let base = (mul_div(s.amount as u128, repay_spot.0, c, Rounding::Down)? as u64).min(seized);
    let bonus_amount = seized - base;
    let fee = (mul_div(
        bonus_amount as u128,
        input.bonus.protocol_fee_bps as u128,
        10_000,
        Rounding::Down,
    )? as u64)
        .min(bonus_amount);
    Ok(LiquidationPlan {
        repay: limit.repay,
        seized,
        bonus_amount,
        fee,
        bonus_bps: bonus,
        dust,
    })
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn bonus_grows_with_shortfall_and_time_and_is_clamped() {
        let (b, _) = config();
        let at = |hf_bps: u64, t: u64| bonus_bps(&b, Wad::from_bps(hf_bps), t, 600).unwrap();
        assert_eq!(at(10_000, 0), 250);
        assert_eq!(at(9_900, 0), 350);
        assert!(at(9_800, 0) > at(9_900, 0));
        assert_eq!(at(9_900, 300), 350 + 375);
        assert!(at(9_900, 600) > at(9_900, 300));
        assert_eq!(at(5_000, 0), 1_000);
        assert_eq!(at(9_999, 100_000), 1_000);
    }

    /// Regression (fuzzing): an unvalidated bonus config with min > max panicked in `clamp` and
    /// underflowed in the ramp; it now reads max as min.
    #[test]
    fn inverted_bonus_bounds_do_not_panic() {
        let b = BonusConfig {
            min_bonus_bps: 500,
            max_bonus_bps: 100,
            protocol_fee_bps: 20_000,
        };
        assert_eq!(bonus_bps(&b, Wad::from_bps(9_000), 10, 600).unwrap(), 500);
    }

    proptest! {
        // about a third of the random draws leave the account healthy and are skipped
        #![proptest_config(ProptestConfig { max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

        /// Over random accounts and price moves: a liquidation never lowers health, never seizes
        /// more than repaid * (1 + max bonus), never repays more than the debt or seizes more than
        /// the deposit, and repaid + bonus = seized = liquidator's + fee, to the unit.
        #[test]
        fn liquidation_is_sound(
            coll in 1_000_000_000u64..100_000_000_000_000,   // 1 .. 100,000 tokens (9 dec)
            start in 1_000_000u64..100_000_000_000_000,      // collateral price mantissa
            leverage_bps in 5_000u64..9_900,
            drop_bps in 0u64..9_000,
            conf_bps in 0u64..100,
            elapsed in 0u64..2_000,
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
                bonus, pool, elapsed_secs: elapsed, max_repay,
            };
            let plan = plan_liquidation(&input).unwrap();
            prop_assert!(plan.repay <= debt && plan.repay <= max_repay);
            prop_assert!(plan.seized <= coll);
            prop_assert!(plan.bonus_bps <= bonus.max_bonus_bps as u64);
            prop_assert_eq!(plan.to_liquidator() + plan.fee, plan.seized);
            prop_assert!(plan.fee <= plan.bonus_amount);
            if plan.repay == 0 {
                return Ok(());
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
    }
}
