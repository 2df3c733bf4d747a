//! The liquidation bonus: the seize market's bonus, capped so that it never comes out of lenders'
//! money, and never grows by waiting.
//!
//! ```text
//! rate      = max_bonus of the seize market                 (flat: Aave v3's fixed bonus)
//! cap: m = min_bonus, D = the account's whole debt at spot, C = its collateral at spot
//!   free = C - D - m * D      the equity left once every debt could still be liquidated at the
//!                             minimum bonus without bad debt
//!   free <= 0 (insolvent, or nearly), or a position held at a stale feed's last price (free
//!   cannot be trusted): bonus = m
//!   else a liquidation repaying R at bonus b moves free by -(b - m) * R (spot surplus -b*R, the
//!   reserve m*D by -m*R), so it may pay above the minimum only out of free: (b - m) * R <= free.
//!   R never exceeds (a) what is offered, R_o = min(max_repay, debt, close factor), nor (b) what
//!   the seize position can pay for, V_c / (1 + b). So the seizure keeps free >= 0 when either
//!        b <= m + free / R_o                          (a)
//!   or   b <= (free + m * V_c) / (V_c - free)         (b; any b when V_c <= free)
//!   cap = max of the two (rounded down to a bps);  bonus = min(rate, cap)  (>= m)
//! ```
//! What this buys (issue 27, each a proptest in tests.rs and an attack in the runtime suite):
//! - waiting never pays more than acting now. The rate does not grow with time or shortfall, and
//!   the cap only falls as prices move against the account (free shrinks). Before, the rate grew
//!   from min to max with the shortfall and a 10-minute time ramp, and at insolvency the cap was
//!   dropped: an account at C/D 1.002 paid $1.58, 0.3% lower $71.75 (45x); bots 10 minutes late
//!   earned 29% more in the built-in crash (now less than acting at once);
//! - an insolvent account pays the minimum bonus, which is what it paid on the way there (the
//!   cap falls to m as free falls to zero);
//! - the bonus above the minimum, over every call, never exceeds the free equity when the first
//!   call was made;
//! - a capped call leaves free >= 0, i.e. equity of at least m on every unit of debt still open:
//!   never an account at zero equity that nobody will liquidate until interest tips it under.
//!
//! A flat rate pays the full bonus on a barely-unhealthy account; the target health factor and
//! the close factor keep that repay small (Aave v3 and marginfi pay a fixed bonus the same way).
//! In the one-debt, one-collateral case (b) at m = 0 is `C/D - 1`: when the collateral binds, the
//! bonus is at most what lets it repay the whole debt.
use super::super::fixed::{mul_div, Rounding, Wad};
use super::super::health::token_value;
use super::{BonusConfig, LiquidationInput, Values};
use anchor_lang::prelude::*;

/// The bonus rate before the free-equity cap, bps: the seize market's max bonus (its min when a
/// config that was never validated has them inverted: a pure function must not misread one).
pub fn bonus_bps(bonus: &BonusConfig) -> u64 {
    (bonus.max_bonus_bps as u64).max(bonus.min_bonus_bps as u64)
}

/// `schedule`, capped so that no repay the plan can choose pays above the minimum bonus out of
/// anything but the account's free equity; `offered` is what the liquidator offers within the
/// close factor (base units).
pub(super) fn capped_bonus_bps(
    input: &LiquidationInput,
    values: &Values,
    schedule: u64,
    offered: u64,
) -> Result<u64> {
    let h = &input.health;
    let min = (input.bonus.min_bonus_bps as u64).min(schedule);
    // the reserve: the minimum bonus on every unit of debt, rounded up (less is free)
    let reserve = h.debt_spot.mul_bps(min, Rounding::Up)?;
    let owed = h.debt_spot.try_add(reserve)?;
    if h.collateral_spot <= owed || !input.fresh {
        return Ok(min); // insolvent or nearly: the minimum, as on the way there
    }
    let free = h.collateral_spot.try_sub(owed)?;
    let r = &input.repay;
    let offered_value = token_value(
        offered,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Up,
    )?;
    // (a) b <= m + free / R_o
    let by_offer = min.saturating_add(ratio_bps(free, offered_value)?);
    // (b) b <= (free + m V_c) / (V_c - free), unbounded when the position is worth no more than
    // free
    let v_c = values.collateral_spot;
    let by_collateral = if v_c <= free {
        u64::MAX
    } else {
        let num = free.try_add(v_c.mul_bps(min, Rounding::Down)?)?;
        ratio_bps(num, v_c.try_sub(free)?)?
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
