//! The liquidation bonus: its schedule, and the cap that keeps the bonus from creating bad debt.
//!
//! ```text
//! shortfall = 1 - HF                       (0 when healthy)
//! ramp      = min(1, seconds liquidatable / ramp_secs)
//! schedule  = clamp(min_bonus + shortfall + (max_bonus - min_bonus) * ramp,  min_bonus, max_bonus)
//!
//! cap (only when the account is solvent at spot, room = C_spot - D_spot >= 0):
//!   a liquidation repaying R at bonus b moves the account's spot surplus by -b*R, so it creates no
//!   bad debt iff b*R <= room. R never exceeds (a) what is offered, R_o = min(max_repay, debt,
//!   close factor), nor (b) what the seize position can pay for, V_c / (1 + b). So the seizure is
//!   safe when either  b <= room / R_o            (a)
//!                or   b <= room / (V_c - room)   (b; any b when V_c <= room)
//!   cap = max of the two (rounded down to a bps);  bonus = min(schedule, cap)
//! ```
//! In the one-debt, one-collateral case (b) is `C/D - 1`: when the collateral binds, the bonus is
//! at most what lets it repay the whole debt. An account already insolvent at spot gets no cap:
//! its shortfall is bad debt whatever the bonus, and the bonus is what gets it liquidated.
use super::super::fixed::{mul_div, Rounding, Wad};
use super::super::health::token_value;
use super::{BonusConfig, LiquidationInput, Values};
use anchor_lang::prelude::*;

/// The bonus schedule before the bad-debt cap, bps: grows with the shortfall and with time.
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

/// `schedule`, capped so that no repay the plan can choose turns the account's spot surplus
/// negative; `offered` is what the liquidator offers within the close factor (base units).
pub(super) fn capped_bonus_bps(
    input: &LiquidationInput,
    values: &Values,
    schedule: u64,
    offered: u64,
) -> Result<u64> {
    let h = &input.health;
    if h.collateral_spot < h.debt_spot {
        return Ok(schedule); // insolvent at spot: the shortfall is bad debt whatever the bonus
    }
    let room = h.collateral_spot.try_sub(h.debt_spot)?;
    let r = &input.repay;
    let offered_value = token_value(
        offered,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Up,
    )?;
    // (a) b <= room / R_o
    let by_offer = ratio_bps(room, offered_value)?;
    // (b) b <= room / (V_c - room), unbounded when the position is worth no more than the room
    let by_collateral = if values.collateral_spot <= room {
        u64::MAX
    } else {
        ratio_bps(room, values.collateral_spot.try_sub(room)?)?
    };
    Ok(schedule.min(by_offer.max(by_collateral)))
}

/// `num / den` in bps, rounded down; `u64::MAX` when `den` is zero.
fn ratio_bps(num: Wad, den: Wad) -> Result<u64> {
    if den == Wad::ZERO {
        return Ok(u64::MAX);
    }
    Ok(mul_div(num.0, 10_000, den.0, Rounding::Down)?.min(u64::MAX as u128) as u64)
}
