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
use super::wide::mul_div_256;
use crate::errors::KeelError;
use anchor_lang::prelude::*;

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
/// When `a * b` fits in 128 bits (nearly always: token values, indices, bps) the division runs on
/// `u128` (the same result; much cheaper on SBF than the 256-bit path), and on `u64` when both
/// the product and the divisor fit in 64 bits; past 128 bits, on 32-bit digits (math/wide.rs).
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Result<u128> {
    require!(c != 0, KeelError::DivisionByZero);
    // a * c / c = a exactly (a share amount at an index still at 1, a weight of 100 %)
    if b == c {
        return Ok(a);
    }
    let fits = match (u64::try_from(b), u64::try_from(a)) {
        (Ok(b), _) => mul_u128_u64(a, b),
        (_, Ok(a)) => mul_u128_u64(b, a),
        _ => None, // both at least 2^64: the product is at least 2^128
    };
    if let Some(product) = fits {
        let (q, exact) = div_u128(product, c);
        return Ok(if rounding == Rounding::Up && !exact {
            q + 1
        } else {
            q
        });
    }
    // past 128 bits (a Wad times a Wad, a health factor): long division on 32-bit digits
    mul_div_256(a, b, c)
        .and_then(|(q, exact)| match rounding == Rounding::Up && !exact {
            true => q.checked_add(1),
            false => Some(q),
        })
        .ok_or_else(|| error!(KeelError::MathOverflow))
}

/// `x * y` exactly, from four 32-bit products (SBF multiplies 64-bit words natively, but has no
/// widening multiply: a `u128` product is a software routine).
pub fn wide_mul(x: u64, y: u64) -> u128 {
    let (x1, x0) = (x >> 32, x & 0xffff_ffff);
    let (y1, y0) = (y >> 32, y & 0xffff_ffff);
    let low = x0 * y0;
    let mid1 = x1 * y0;
    let mid2 = x0 * y1;
    let high = x1 * y1;
    // low + (mid1 + mid2) << 32 + high << 64, carried by hand in 64-bit words
    let (mid, mid_carry) = mid1.overflowing_add(mid2);
    let (lo, lo_carry) = low.overflowing_add(mid << 32);
    // the product is below 2^128, so its high word cannot overflow: no checks needed
    let hi = high
        .wrapping_add(mid >> 32)
        .wrapping_add((mid_carry as u64) << 32)
        .wrapping_add(lo_carry as u64);
    ((hi as u128) << 64) | lo as u128
}

/// `a * b`, or `None` past `u128`, with two widening 64-bit products.
pub fn mul_u128_u64(a: u128, b: u64) -> Option<u128> {
    let (a1, a0) = ((a >> 64) as u64, a as u64);
    if a1 == 0 {
        return Some(wide_mul(a0, b));
    }
    let low = wide_mul(a0, b);
    let high = wide_mul(a1, b);
    if high >> 64 != 0 {
        return None;
    }
    low.checked_add(high << 64)
}

/// `x / d` and whether it is exact, as cheaply as SBF allows (it has native 64-bit division only;
/// a generic 128-bit division is a long software routine): native when both fit in 64 bits, four
/// native divisions on 32-bit limbs when the divisor fits in 32 bits (bps, powers of ten up to
/// 10^9, seconds per year), two such rounds for `WAD` (floor(floor(x / 10^9) / 10^9) is
/// floor(x / 10^18)), the generic division otherwise.
fn div_u128(x: u128, d: u128) -> (u128, bool) {
    if let (Ok(x), Ok(d)) = (u64::try_from(x), u64::try_from(d)) {
        return ((x / d) as u128, x % d == 0);
    }
    if d <= u32::MAX as u128 {
        let (q, r) = div_rem_small(x, d as u64);
        return (q, r == 0);
    }
    if d == WAD {
        let (q1, r1) = div_rem_small(x, 1_000_000_000);
        let (q, r2) = div_rem_small(q1, 1_000_000_000);
        return (q, r1 == 0 && r2 == 0);
    }
    let q = x / d;
    (q, q * d == x)
}

/// 5^0 .. 5^13: the largest powers of five below 2^32.
static POW5: [u64; 14] = {
    let mut t = [1u64; 14];
    let mut i = 1;
    while i < 14 {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// `x / 10^n`, rounded as asked, never the generic 128-bit division: up to 13 digits a round,
/// as 10^k = 2^k * 5^k, a shift and then a division by 5^k (< 2^32) on 32-bit limbs
/// (floor(floor(x / a) / b) = floor(x / ab), and the same for ceilings).
pub fn div_pow10(x: u128, n: u32, rounding: Rounding) -> u128 {
    let (mut q, mut left) = (x, n);
    while left > 0 {
        let k = left.min(13);
        let dropped = q & ((1u128 << k) - 1); // the bits the shift drops
        let (quotient, r) = div_rem_small(q >> k, POW5[k as usize]);
        q = quotient + (rounding == Rounding::Up && (r != 0 || dropped != 0)) as u128;
        left -= k;
    }
    q
}

/// `x / d` and `x % d` for `0 < d < 2^32`: schoolbook division on 32-bit limbs, each step a
/// native 64-bit division (the running remainder is below `d`, so each step fits in 64 bits);
/// one native division when `x` fits in 64 bits.
fn div_rem_small(x: u128, d: u64) -> (u128, u64) {
    let (hi, lo) = ((x >> 64) as u64, x as u64);
    if hi == 0 {
        return ((lo / d) as u128, lo % d);
    }
    let step = |r: u64, limb: u64| {
        let cur = (r << 32) | limb;
        (cur / d, cur % d)
    };
    let (q3, r) = step(0, hi >> 32);
    let (q2, r) = step(r, hi & 0xffff_ffff);
    let (q1, r) = step(r, lo >> 32);
    let (q0, r) = step(r, lo & 0xffff_ffff);
    (((q3 << 32 | q2) as u128) << 64 | (q1 << 32 | q0) as u128, r)
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
    use ethnum::U256;
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
        for c in [1, 3, WAD, u128::MAX] {
            for a in [0, 7, u128::MAX] {
                assert_eq!(mul_div(a, c, c, Rounding::Up).unwrap(), a);
            }
        }
    }

    proptest! {
        /// Dividing by 10^n nine digits at a time is the exact division, in both directions.
        #[test]
        fn div_pow10_is_exact(x in any::<u128>(), n in 0u32..=38) {
            let d = 10u128.pow(n);
            prop_assert_eq!(div_pow10(x, n, Rounding::Down), x / d);
            prop_assert_eq!(div_pow10(x, n, Rounding::Up), x.div_ceil(d));
        }

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

        /// The base-10^9 long division of `x * WAD / c` agrees with the 256-bit one.
        #[test]
        fn wad_division_past_128_bits_is_exact(x in any::<u128>(), c in 1u128..=u128::MAX / 1_000_000_000) {
            for r in [Rounding::Down, Rounding::Up] {
                let p = U256::from(x) * U256::from(WAD);
                let mut q = p / U256::from(c);
                if r == Rounding::Up && p % U256::from(c) != U256::ZERO {
                    q += U256::ONE;
                }
                match mul_div(x, WAD, c, r) {
                    Ok(v) => prop_assert_eq!(U256::from(v), q),
                    Err(_) => prop_assert!(q > U256::from(u128::MAX)),
                }
                match mul_div(WAD, x, c, r) {
                    Ok(v) => prop_assert_eq!(U256::from(v), q),
                    Err(_) => prop_assert!(q > U256::from(u128::MAX)),
                }
            }
        }

        /// The limb multiplications agree with the generic ones.
        #[test]
        fn cheap_multiplication_is_exact(x in any::<u64>(), y in any::<u64>(), a in any::<u128>()) {
            prop_assert_eq!(wide_mul(x, y), x as u128 * y as u128);
            prop_assert_eq!(mul_u128_u64(a, y), a.checked_mul(y as u128));
            prop_assert_eq!(mul_u128_u64(a >> 70, y), a.checked_mul(0).map(|_| (a >> 70) * y as u128));
        }

        /// The limb division agrees with the generic one, for every kind of divisor it takes.
        #[test]
        fn cheap_division_is_exact(x in any::<u128>(), small in 1u64..=u32::MAX as u64, any_d in 1u128..) {
            for d in [small as u128, WAD, any_d, 10_000, 1] {
                let (q, exact) = div_u128(x, d);
                prop_assert_eq!(q, x / d);
                prop_assert_eq!(exact, x % d == 0);
            }
        }

        /// The u128 fast path and the 256-bit path agree wherever both apply.
        #[test]
        fn fast_path_matches_the_wide_path(a in any::<u128>(), b in any::<u64>(), c in 1u128..) {
            let (a, b) = (a >> 64, b as u128); // products that fit in 128 bits
            for r in [Rounding::Down, Rounding::Up] {
                let fast = mul_div(a, b, c, r).unwrap();
                let p = U256::from(a) * U256::from(b);
                let mut q = p / U256::from(c);
                if r == Rounding::Up && p % U256::from(c) != U256::ZERO {
                    q += U256::ONE;
                }
                prop_assert_eq!(U256::from(fast), q);
            }
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
