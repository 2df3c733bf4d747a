//! The post-conditions a liquidation must meet on the real post-state.
//!
//! ```text
//! C_w - D_w improved (strictly)
//! HF <= target unless the debt was dust or is gone, as
//!   C_w <= (target + 1 bp) * (D_w + u_d) + u_c    (u: LIQUIDATION_ROUNDING_UNITS base units of
//!   each token, weighted: near a full close the plan's rounding is a visible share of the rest)
//! value(seized) <= value(repaid) * (1 + max_bonus)       (spot prices)
//! ```
use super::super::fixed::{Rounding, Wad};
use super::super::health::{token_value, Health};
use super::{LiquidationConfig, LiquidationInput, LiquidationPlan};
use crate::constants::{LIQUIDATION_ROUNDING_UNITS, TARGET_HF_TOLERANCE_BPS};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Enforce the post-conditions of `plan` given the health before and after it.
pub fn check_post_conditions(
    before: &Health,
    after: &Health,
    input: &LiquidationInput,
    plan: &LiquidationPlan,
    config: &LiquidationConfig,
) -> Result<()> {
    require!(before.improved_by(after), KeelError::HealthNotImproved);
    let (r, s) = (&input.repay, &input.seize);
    if !plan.dust && after.debt_maint > Wad::ZERO {
        let ceiling = Wad::from_bps(config.target_hf_bps as u64 + TARGET_HF_TOLERANCE_BPS);
        let unit_c = token_value(
            LIQUIDATION_ROUNDING_UNITS,
            s.price.maintenance_band().low,
            s.price.expo,
            s.decimals,
            Rounding::Up,
        )?
        .mul_bps(s.weight_bps as u64, Rounding::Up)?;
        let unit_d = token_value(
            LIQUIDATION_ROUNDING_UNITS,
            r.price.maintenance_band().high,
            r.price.expo,
            r.decimals,
            Rounding::Up,
        )?
        .mul_bps(r.weight_bps as u64, Rounding::Up)?;
        let allowed = ceiling
            .mul(after.debt_maint.try_add(unit_d)?, Rounding::Up)?
            .try_add(unit_c)?;
        require!(
            after.collateral_maint <= allowed,
            KeelError::OverLiquidation
        );
    }
    let repaid = token_value(
        plan.repay,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Up,
    )?;
    let seized = token_value(
        plan.seized,
        s.price.price,
        s.price.expo,
        s.decimals,
        Rounding::Down,
    )?;
    let bound = repaid.mul_bps(10_000 + input.bonus.max_bonus_bps as u64, Rounding::Up)?;
    require!(seized <= bound, KeelError::SeizeExceedsBound);
    Ok(())
}
