//! Utilisation-based interest with a kinked curve, and the accrual step.
//!
//! ```text
//! U  = B / D                       B = total debt, D = total deposits (U = 0 when D = 0; capped at 1)
//! r(U) = base + slope1 * U / U*                      when U <= U*   (U* = optimal utilisation, the kink)
//!      = base + slope1 + slope2 * (U - U*) / (1 - U*) when U >  U*   (APR)
//! g  = r * dt / YEAR                                  growth of the borrow index over dt seconds (rounded up)
//! borrow_index'  = borrow_index * (1 + g)             (rounded up: debt favours the protocol)
//! I   = B * g                                         interest earned over dt (rounded down)
//! fee = I * reserve_factor                            to the insurance fund (rounded up)
//! deposit_index' = deposit_index * (D + I - fee) / D  (rounded down: lenders never get more than I - fee)
//! ```
//! Interest compounds at every accrual (each instruction touching a market accrues it first).
use super::fixed::{mul_div, Rounding, Wad, WAD};
use crate::constants::SECONDS_PER_YEAR;
use anchor_lang::prelude::*;

/// A kinked utilisation curve; rates are annual, in basis points.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct InterestCurve {
    /// Rate at zero utilisation.
    pub base_rate_bps: u32,
    /// Rate added between zero and optimal utilisation.
    pub slope1_bps: u32,
    /// Rate added between optimal and full utilisation.
    pub slope2_bps: u32,
    /// The kink.
    pub optimal_util_bps: u16,
}

/// Result of one accrual step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accrual {
    /// New borrow index.
    pub borrow_index: Wad,
    /// New deposit index.
    pub deposit_index: Wad,
    /// Interest earned by the market over the period, in tokens.
    pub interest: Wad,
    /// Protocol share of it (to the insurance fund), in tokens.
    pub protocol_fee: Wad,
}

/// `B / D`, capped at 1.
pub fn utilization(total_debt: Wad, total_deposits: Wad) -> Result<Wad> {
    if total_deposits == Wad::ZERO {
        return Ok(Wad::ZERO);
    }
    Ok(total_debt
        .div(total_deposits, Rounding::Down)?
        .min(Wad::ONE))
}

/// Annual borrow rate at utilisation `util`.
pub fn borrow_rate(curve: &InterestCurve, util: Wad) -> Result<Wad> {
    let kink = Wad::from_bps(curve.optimal_util_bps as u64);
    let base = Wad::from_bps(curve.base_rate_bps as u64);
    let slope1 = Wad::from_bps(curve.slope1_bps as u64);
    let slope2 = Wad::from_bps(curve.slope2_bps as u64);
    if util <= kink {
        let part = Wad(mul_div(slope1.0, util.0, kink.0, Rounding::Up)?);
        base.try_add(part)
    } else {
        let excess = util.try_sub(kink)?;
        let span = Wad::ONE.try_sub(kink)?;
        let part = Wad(mul_div(slope2.0, excess.0, span.0, Rounding::Up)?);
        base.try_add(slope1)?.try_add(part)
    }
}

/// Accrue `dt` seconds of interest on totals `debt` and `deposits` (both in tokens, as Wad).
pub fn accrue(
    curve: &InterestCurve,
    reserve_factor_bps: u16,
    borrow_index: Wad,
    deposit_index: Wad,
    debt: Wad,
    deposits: Wad,
    dt: u64,
) -> Result<Accrual> {
    let unchanged = Accrual {
        borrow_index,
        deposit_index,
        interest: Wad::ZERO,
        protocol_fee: Wad::ZERO,
    };
    if dt == 0 || debt == Wad::ZERO || deposits == Wad::ZERO {
        return Ok(unchanged);
    }
    let rate = borrow_rate(curve, utilization(debt, deposits)?)?;
    let growth = Wad(mul_div(
        rate.0,
        dt as u128,
        SECONDS_PER_YEAR as u128,
        Rounding::Up,
    )?);
    let new_borrow_index = borrow_index.mul(Wad::ONE.try_add(growth)?, Rounding::Up)?;
    let interest = debt.mul(growth, Rounding::Down)?;
    let protocol_fee = interest.mul_bps(reserve_factor_bps as u64, Rounding::Up)?;
    let to_lenders = interest.try_sub(protocol_fee)?;
    let new_deposit_index = Wad(mul_div(
        deposit_index.0,
        deposits.try_add(to_lenders)?.0,
        deposits.0,
        Rounding::Down,
    )?);
    Ok(Accrual {
        borrow_index: new_borrow_index,
        deposit_index: new_deposit_index,
        interest,
        protocol_fee,
    })
}

/// Total tokens represented by `shares` at `index` (as an exact Wad, before any rounding to units).
pub fn shares_value(shares: u128, index: Wad) -> Result<Wad> {
    mul_div(shares, index.0, 1, Rounding::Down).map(Wad)
}

/// `WAD` as an index: the starting value of every index.
pub const INITIAL_INDEX: Wad = Wad(WAD);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn curve() -> InterestCurve {
        InterestCurve {
            base_rate_bps: 100,
            slope1_bps: 800,
            slope2_bps: 20_000,
            optimal_util_bps: 8_000,
        }
    }

    #[test]
    fn curve_points() {
        let c = curve();
        assert_eq!(borrow_rate(&c, Wad::ZERO).unwrap(), Wad::from_bps(100));
        assert_eq!(
            borrow_rate(&c, Wad::from_bps(4_000)).unwrap(),
            Wad::from_bps(500)
        );
        assert_eq!(
            borrow_rate(&c, Wad::from_bps(8_000)).unwrap(),
            Wad::from_bps(900)
        );
        assert_eq!(
            borrow_rate(&c, Wad::from_bps(9_000)).unwrap(),
            Wad::from_bps(10_900)
        );
        assert_eq!(borrow_rate(&c, Wad::ONE).unwrap(), Wad::from_bps(20_900));
    }

    #[test]
    fn one_year_at_half_utilisation() {
        // D = 1000, B = 500, U = 50% -> r = 1% + 8% * 50/80 = 6%; I = 30; fee (10%) = 3
        let a = accrue(
            &curve(),
            1_000,
            INITIAL_INDEX,
            INITIAL_INDEX,
            Wad::from_int(500),
            Wad::from_int(1000),
            SECONDS_PER_YEAR,
        )
        .unwrap();
        assert_eq!(a.borrow_index, Wad::from_bps(10_600));
        assert_eq!(a.interest, Wad::from_int(30));
        assert_eq!(a.protocol_fee, Wad::from_int(3));
        assert_eq!(a.deposit_index, Wad::from_bps(10_270));
    }

    proptest! {
        /// The rate never decreases as utilisation rises.
        #[test]
        fn rate_monotone(u1 in 0u64..=10_000, u2 in 0u64..=10_000) {
            let (lo, hi) = (u1.min(u2), u1.max(u2));
            let c = curve();
            prop_assert!(borrow_rate(&c, Wad::from_bps(lo)).unwrap() <= borrow_rate(&c, Wad::from_bps(hi)).unwrap());
        }

        /// Indices never decrease; what lenders gain plus the fee never exceeds what borrowers owe more.
        #[test]
        fn accrual_conserves(debt in 0u64..1_000_000_000_000, extra in 1u64..1_000_000_000_000,
                             dt in 0u64..SECONDS_PER_YEAR * 2, rf in 0u16..=5_000) {
            let deposits = Wad::from_int(debt + extra);
            let debt_w = Wad::from_int(debt);
            let a = accrue(&curve(), rf, INITIAL_INDEX, INITIAL_INDEX, debt_w, deposits, dt).unwrap();
            prop_assert!(a.borrow_index >= INITIAL_INDEX && a.deposit_index >= INITIAL_INDEX);
            let debt_growth = debt_w.mul(a.borrow_index, Rounding::Up).unwrap().try_sub(debt_w).unwrap();
            let deposit_growth = deposits.mul(a.deposit_index, Rounding::Down).unwrap().try_sub(deposits).unwrap();
            prop_assert!(deposit_growth.try_add(a.protocol_fee).unwrap() <= debt_growth);
        }
    }
}
