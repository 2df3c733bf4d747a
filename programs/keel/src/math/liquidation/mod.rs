//! Liquidation amounts: the repay, the seizure, the bonus and the fee, in one pass.
//!
//! ```text
//! health difference H = C_w - D_w (maintenance, weighted); liquidatable iff H < 0 (HF < 1)
//! d = the debt in the repay market (base units), c = the deposit in the seize market
//! V_d, V_c = their values at spot (the exchange rate; neither side gains from confidence bands)
//!
//! 1. offered  = min(max_repay, d, d * cf * D_raw / V_d_raw)      what the liquidator offers,
//!               within the close factor cf of the account's whole debt value
//!               (cf = 100% when HF < full_close_hf or D_raw < dust)
//! 2. bonus    = min(max_bonus, cap)                                bonus.rs: flat, so waiting
//!               never pays more; the cap pays above the minimum only out of free equity
//! 3. repay    = min(offered,
//!                   d * (T*D_w - C_w) / (T*V_d_w - V_c_w),         the repay that brings HF to the
//!                                                                  target T (none when dust), where
//!                                                                  V_d_w = weighted value of all d,
//!                                                                  V_c_w = weighted collateral
//!                                                                  seized for all d at this bonus
//!                   ceil(d * V_c / (V_d * (1 + bonus))))           what the seize position can pay
//!                                                                  for; when this binds, the whole
//!                                                                  position is seized (no dust left)
//! 4. seized   = floor(c * V_spot(repay) * (1 + bonus) / V_c)       taken from the liquidatee,
//!                                                                  all of it to the liquidator
//!    base     = floor(c * V_spot(repay) / V_c)                      the repaid value in collateral
//!    bonus part = seized - base                                     (collateral base units)
//! 5. fee      = min(ceil(repay * bonus part * protocol_fee / base),  the protocol's share of the
//!                   floor(repay * bonus part / base))               bonus, in the REPAY token: the
//!                                                                  liquidator pays repay + fee
//!    so: the liquidatee loses exactly what it did when the fee was taken out of the seizure; the
//!    liquidator's gain is bonus part - fee (its value); the fee lands in the insurance fund of the
//!    market whose debt is repaid, where bad debt is written off (risk/bad_debt.rs). The ratio
//!    bonus part / base is the bonus at the liquidation's own exchange rate, so no price enters
//!    the conversion; rounding up favours the fund, capped by the whole bonus's worth.
//! ```
//! Why the repay market: bad debt is debt, so it is written off in the debt's market; a fee booked
//! to the collateral market's fund sat idle there while the loss landed elsewhere (the built-in
//! crash: $52k idle in SOL/ETH/BTC funds, $62k socialised to USDC lenders). marginfi pays its
//! insurance fee into the liability bank's insurance vault and Drift's `liquidate_spot` books its
//! insurance-fund fee to the liability market's revenue pool: the same choice. Aave takes its
//! liquidation protocol fee out of the collateral bonus, as aTokens to the treasury (Keel's old
//! design), which does not stand behind the debt market's bad debt.
//! The bonus depends only on inputs fixed before the repay is chosen, so the plan is one pass:
//! no limit is computed twice. The program re-checks the outcome against the real post-state.
mod bonus;
pub mod post;
#[cfg(test)]
mod tests;

pub use bonus::bonus_bps;

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
    /// Seconds without a liquidation after which an account's liquidation episode ends (its
    /// `liquidatable_since` restarts). The bonus no longer ramps with time (issue 27: waiting
    /// must not pay more); the name is the field's old meaning, kept for the account layout.
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
    /// Most the liquidator will repay, base units.
    pub max_repay: u64,
    /// Every position of the account is freshly priced. When one is held at a stale or too-wide
    /// feed's last price, the account's free equity cannot be trusted, and the bonus is the
    /// minimum (bonus.rs; attack review of issue 27: a held price could pay the max out of
    /// lenders' money).
    pub fresh: bool,
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
    /// The protocol's share of the bonus, base units of the REPAY token: paid by the liquidator on
    /// top of `repay`, into the repay market's insurance fund.
    pub fee: u64,
    /// Bonus applied, bps.
    pub bonus_bps: u64,
    /// The debt was dust: the whole of it may go, past the target.
    pub dust: bool,
}

impl LiquidationPlan {
    /// Collateral the liquidator receives: the whole seizure.
    pub fn to_liquidator(&self) -> u64 {
        self.seized
    }

    /// Repay-token base units the liquidator pays: the repay and the fee.
    pub fn paid(&self) -> Result<u64> {
        self.repay
            .checked_add(self.fee)
            .ok_or_else(|| error!(KeelError::MathOverflow))
    }
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

/// Plan a liquidation; errors only on arithmetic failure. A zero `repay` means nothing can be done.
pub fn plan_liquidation(input: &LiquidationInput) -> Result<LiquidationPlan> {
    plan_liquidation_at(input, input.health.health_factor()?)
}

/// [`plan_liquidation`] given the health factor of `input.health` (`hf`: the program computes
/// it once for the plan and the event).
pub fn plan_liquidation_at(input: &LiquidationInput, hf: Wad) -> Result<LiquidationPlan> {
    require!(input.repay.amount > 0, KeelError::NoDebt);
    require!(input.seize.amount > 0, KeelError::NoCollateralInSeizeMarket);
    let values = position_values(input)?;
    let dust = input.health.debt_value < Wad::from_int(input.pool.dust_debt_usd as u64);
    let offered = input
        .max_repay
        .min(input.repay.amount)
        .min(close_factor_limit(input, hf, &values, dust)?);
    let schedule = bonus_bps(&input.bonus);
    let bonus = bonus::capped_bonus_bps(input, &values, schedule, offered)?;
    let target = if dust {
        u64::MAX
    } else {
        target_limit(input, &values, bonus)?
    };
    let collateral = collateral_limit(input, &values, bonus)?;
    let repay = offered.min(target).min(collateral);
    if repay == 0 {
        return Ok(LiquidationPlan {
            dust,
            ..LiquidationPlan::default()
        });
    }
    amounts(input, &values, repay, repay == collateral, bonus, dust)
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

/// `d * num / den` in base units, rounded as asked; `u64::MAX` when `den` is zero (no bound).
fn portion(d: u64, num: Wad, den: Wad, rounding: Rounding) -> Result<u64> {
    if den == Wad::ZERO {
        return Ok(u64::MAX);
    }
    Ok(mul_div(d as u128, num.0, den.0, rounding)?.min(u64::MAX as u128) as u64)
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
    portion(input.repay.amount, allowed, values.debt_raw, Rounding::Down)
}

/// Value of all of `d` at spot with the bonus: what seizing for the whole debt would take.
fn seized_for_all(values: &Values, bonus: u64) -> Result<Wad> {
    values
        .debt_spot
        .mul(Wad::from_bps(10_000 + bonus), Rounding::Up)
}

/// The repay that brings the health factor to the target.
fn target_limit(input: &LiquidationInput, values: &Values, bonus: u64) -> Result<u64> {
    let (r, s, h) = (&input.repay, &input.seize, &input.health);
    // collateral-health value seized if all of d were repaid: V_d_spot * (1+b) * (p_c_low / p_c_spot) * w_c
    let seized_low = Wad(mul_div(
        seized_for_all(values, bonus)?.0,
        s.price.maintenance_band().low as u128,
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
    portion(r.amount, num, den, Rounding::Down)
}

/// What the seize position can pay for, rounded up: when it binds, the liquidator pays for the
/// whole position, which is seized.
fn collateral_limit(input: &LiquidationInput, values: &Values, bonus: u64) -> Result<u64> {
    portion(
        input.repay.amount,
        values.collateral_spot,
        seized_for_all(values, bonus)?,
        Rounding::Up,
    )
}

/// Seized, bonus and fee amounts for a repay.
fn amounts(
    input: &LiquidationInput,
    values: &Values,
    repay: u64,
    takes_all: bool,
    bonus: u64,
    dust: bool,
) -> Result<LiquidationPlan> {
    let (r, s) = (&input.repay, &input.seize);
    let repay_spot = token_value(
        repay,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Down,
    )?;
    let with_bonus = repay_spot.mul(Wad::from_bps(10_000 + bonus), Rounding::Down)?;
    let c = values.collateral_spot.0;
    let seized = if takes_all {
        s.amount
    } else {
        (mul_div(s.amount as u128, with_bonus.0, c, Rounding::Down)? as u64).min(s.amount)
    };
    let base = (mul_div(s.amount as u128, repay_spot.0, c, Rounding::Down)? as u64).min(seized);
    let bonus_amount = seized - base;
    let fee = repay_fee(repay, base, bonus_amount, input.bonus.protocol_fee_bps)?;
    Ok(LiquidationPlan {
        repay,
        seized,
        bonus_amount,
        fee,
        bonus_bps: bonus,
        dust,
    })
}

/// The protocol's share of the bonus in repay-token base units (step 5): `repay * bonus part / base`
/// is the bonus's worth in the repay token at the liquidation's exchange rate.
pub fn repay_fee(repay: u64, base: u64, bonus_amount: u64, protocol_fee_bps: u16) -> Result<u64> {
    if base == 0 || bonus_amount == 0 || protocol_fee_bps == 0 {
        return Ok(0);
    }
    let worth = mul_div(
        repay as u128,
        bonus_amount as u128,
        base as u128,
        Rounding::Down,
    )?;
    let fee = mul_div(
        repay as u128,
        bonus_amount as u128 * protocol_fee_bps as u128,
        base as u128 * 10_000,
        Rounding::Up,
    )?
    .min(worth);
    u64::try_from(fee).map_err(|_| error!(KeelError::MathOverflow))
}
