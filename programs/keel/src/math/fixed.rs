//! `Wad`: an unsigned fixed-point number with 18 decimals, stored in a `u128`.
//!
//! ```text
//! Wad(x) represents x / 10^18
//! a * b  = a.raw * b.raw / 10^18        (mul_down rounds toward 0, mul_up away from 0)
//! a / b  = a.raw * 10^18 / b.raw        (div_down, div_up)
//! mul_div(a, b, c) = a * b / c          computed on 256 bits, so the product never overflows
//! ```
//! Every operation is checked (an overflow is an error, never a wrap) and names its rounding
//! direction, so each call site chooses the direction that favours the protocol.
use crate::errors::KeelError;
use anchor_lang::prelude::*;
use ethnum::U256;

/// 10^18, the raw value of one whole `Wad`.
pub const WAD: u128 = 1_000_000_000_000_000_000;

/// Which way a division rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero (floor): for amounts paid out or credited to users.
    Down,
    /// Away from zero (ceiling): for amounts owed by users.
    Up,
}

/// `a * b / c` on a 256-bit intermediate, rounded as asked; errors on `c == 0` or a result over `u128`.
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Result<u128> {
    require!(c != 0, KeelError::DivisionByZero);
    let product = U256::from(a) * U256::from(b); // cannot overflow: both < 2^128
    let divisor = U256::from(c);
    let mut quotient = product / divisor;
    if rounding == Rounding::Up && product % divisor != U256::ZERO {
        quotient += U256::ONE;
    }
    u128::try_from(quotient).map_err(|_| error!(KeelError::MathOverflow))
}

/// A non-negative fixed-point number with 18 decimals.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, AnchorSerialize, AnchorDeserialize,
)]
pub struct Wad(pub u128);

impl Wad {
    /// Zero.
    pub const ZERO: Wad = Wad(0);
    /// One.
    pub const ONE: Wad = Wad(WAD);
    /// The largest value, used for "infinite" health.
    pub const MAX: Wad = Wad(u128::MAX);

    /// The whole number `n`.
    pub fn from_int(n: u64) -> Wad {
        Wad(n as u128 * WAD)
    }

    /// `bps / 10_000`.
    pub fn from_bps(bps: u64) -> Wad {
        Wad(bps as u128 * (WAD / 10_000))
    }

    /// `num / den`, rounded as asked.
    pub fn from_ratio(num: u128, den: u128, rounding: Rounding) -> Result<Wad> {
        mul_div(num, WAD, den, rounding).map(Wad)
    }

    /// `self * other`.
    pub fn mul(self, other: Wad, rounding: Rounding) -> Result<Wad> {
        mul_div(self.0, other.0, WAD, rounding).map(Wad)
    }

    /// `self / other`; errors when `other` is zero.
    pub fn div(self, other: Wad, rounding: Rounding) -> Result<Wad> {
        mul_div(self.0, WAD, other.0, rounding).map(Wad)
    }

    /// `self * other` with `other` in basis points.
    pub fn mul_bps(self, bps: u64, rounding: Rounding) -> Result<Wad> {
        mul_div(self.0, bps as u128, 10_000, rounding).map(Wad)
    }

    /// Checked addition.
    pub fn try_add(self, other: Wad) -> Result<Wad> {
        self.0
            .checked_add(other.0)
            .map(Wad)
            .ok_or_else(|| error!(KeelError::MathOverflow))
    }

    /// Checked subtraction; errors below zero.
    pub fn try_sub(self, other: Wad) -> Result<Wad> {
        self.0
            .checked_sub(other.0)
            .map(Wad)
            .ok_or_else(|| error!(KeelError::MathOverflow))
    }

    /// Subtraction clamped at zero.
    pub fn saturating_sub(self, other: Wad) -> Wad {
        Wad(self.0.saturating_sub(other.0))
    }

    /// The integer part (floor) or the ceiling, as a `u64` token amount.
    pub fn to_u64(self, rounding: Rounding) -> Result<u64> {
        let whole = mul_div(self.0, 1, WAD, rounding)?;
        u64::try_from(whole).map_err(|_| error!(KeelError::MathOverflow))
    }

    /// `amount * self` as a token amount (e.g. shares times an index), rounded as asked.
    pub fn scale_u64(self, amount: u64, rounding: Rounding) -> Result<u64> {
        let raw = mul_div(amount as u128, self.0, WAD, rounding)?;
        u64::try_from(raw).map_err(|_| error!(KeelError::MathOverflow))
    }

    /// `amount / self` as a token amount (e.g. an amount converted to shares), rounded as asked.
    pub fn unscale_u64(self, amount: u64, rounding: Rounding) -> Result<u64> {
        let raw = mul_div(amount as u128, WAD, self.0, rounding)?;
        u64::try_from(raw).map_err(|_| error!(KeelError::MathOverflow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_directions() {
        assert_eq!(mul_div(10, 1, 3, Rounding::Down).unwrap(), 3);
        assert_eq!(mul_div(10, 1, 3, Rounding::Up).unwrap(), 4);
        assert_eq!(mul_div(9, 1, 3, Rounding::Up).unwrap(), 3);
        assert!(mul_div(1, 1, 0, Rounding::Down).is_err());
        assert!(mul_div(u128::MAX, 2, 1, Rounding::Down).is_err());
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX, Rounding::Down).unwrap(),
            u128::MAX
        );
    }

    proptest! {
        #[test]
        fn up_is_down_or_one_more(a in any::<u64>(), b in any::<u64>(), c in 1u64..) {
            let down = mul_div(a as u128, b as u128, c as u128, Rounding::Down).unwrap();
            let up = mul_div(a as u128, b as u128, c as u128, Rounding::Up).unwrap();
            // exact reference on u128 (the product of two u64 fits)
            let exact = (a as u128 * b as u128) / c as u128;
            prop_assert_eq!(down, exact);
            prop_assert!(up == down || up == down + 1);
            prop_assert_eq!(up == down, (a as u128 * b as u128).is_multiple_of(c as u128));
        }

        #[test]
        fn scale_then_unscale_never_gains(index in WAD..(1000 * WAD), amount in any::<u32>()) {
            let idx = Wad(index);
            // shares minted for a deposit round down; converting back rounds down again
            let shares = idx.unscale_u64(amount as u64, Rounding::Down).unwrap();
            let back = idx.scale_u64(shares, Rounding::Down).unwrap();
            prop_assert!(back <= amount as u64);
        }
    }
}
