//! `a * b / c` exactly past 128 bits, in 32-bit digits: what `fixed::mul_div` runs when the
//! product of its operands does not fit in a `u128` (a Wad times a Wad, a health factor).
//!
//! ```text
//! u = a * b                   up to 8 digits of 32 bits (four 64-bit products, mul_256)
//! v = c > 0                   n <= 4 digits
//! q = floor(u / v), exact = (u == q * v)       q wider than 128 bits: None, never wrapped
//! ```
//! Why not a 256-bit integer type: SBF multiplies and divides 64-bit words natively and nothing
//! wider, so a generic 256-bit division is a long software routine (a few thousand CU for one
//! Wad product). Schoolbook long division on 32-bit digits (Knuth's algorithm D, as Hacker's
//! Delight's `divmnu`) takes each quotient digit with one native 64-bit division and at most
//! two corrections: a few hundred instructions for the widest case. A proptest below checks it
//! against a 256-bit reference over every shape of operand.
use super::fixed::wide_mul;

/// `a * b` as four 64-bit limbs, least significant first.
pub fn mul_256(a: u128, b: u128) -> [u64; 4] {
    let (a0, a1) = (a as u64, (a >> 64) as u64);
    let (b0, b1) = (b as u64, (b >> 64) as u64);
    let (p00, p01, p10, p11) = (
        wide_mul(a0, b0),
        wide_mul(a0, b1),
        wide_mul(a1, b0),
        wide_mul(a1, b1),
    );
    // each column sum is below 4 * 2^64, so none of these additions can overflow a u128
    let mid = (p00 >> 64) + (p01 as u64 as u128) + (p10 as u64 as u128);
    let high = (p01 >> 64) + (p10 >> 64) + (p11 as u64 as u128) + (mid >> 64);
    let top = (p11 >> 64) + (high >> 64); // < 2^64: the product is below 2^256
    [p00 as u64, mid as u64, high as u64, top as u64]
}

/// The number of significant digits of `d` (0 for zero).
fn significant(d: &[u32]) -> usize {
    d.iter().rposition(|x| *x != 0).map_or(0, |i| i + 1)
}

/// `a * b / c` rounded down, and whether the division was exact; `None` when the quotient does
/// not fit in a `u128`. `c` must not be zero (the caller refuses it first).
pub fn mul_div_256(a: u128, b: u128, c: u128) -> Option<(u128, bool)> {
    let p = mul_256(a, b);
    let mut u = [0u32; 9]; // the dividend, with a spare digit for the normalising shift
    for (i, limb) in p.iter().enumerate() {
        u[2 * i] = *limb as u32;
        u[2 * i + 1] = (*limb >> 32) as u32;
    }
    let m = significant(&u[..8]);
    let exact = if c == super::fixed::WAD {
        // a Wad product: floor(floor(u / 10^9) / 10^9) = floor(u / 10^18), two short divisions
        let r = short_division(&mut u, m, 1_000_000_000);
        short_division(&mut u, m, 1_000_000_000) == 0 && r == 0
    } else if c <= u32::MAX as u128 {
        short_division(&mut u, m, c as u32) == 0
    } else {
        let v = [
            c as u32,
            (c >> 32) as u32,
            (c >> 64) as u32,
            (c >> 96) as u32,
        ];
        let n = significant(&v);
        if m < n {
            return Some((0, m == 0)); // u < v
        }
        let mut q = [0u32; 9];
        long_division(&mut u, &v, (m, n), &mut q);
        let exact = u[..n].iter().all(|x| *x == 0);
        u = q;
        exact
    };
    if u[4..].iter().any(|x| *x != 0) {
        return None;
    }
    let quotient =
        (u[3] as u128) << 96 | (u[2] as u128) << 64 | (u[1] as u128) << 32 | u[0] as u128;
    Some((quotient, exact))
}

/// `u[..m] / d` in place (the quotient replaces the dividend); returns the remainder. Each step
/// divides a 64-bit word natively (the running remainder is below `d`).
fn short_division(u: &mut [u32; 9], m: usize, d: u32) -> u32 {
    let d = d as u64;
    let mut r = 0u64;
    for digit in u[..m].iter_mut().rev() {
        let cur = (r << 32) | *digit as u64;
        *digit = (cur / d) as u32;
        r = cur % d;
    }
    r as u32
}

/// Knuth's algorithm D for an `m`-digit `u` by an `n`-digit `v` (2 <= n <= m <= 8): the quotient
/// into `q`, the remainder (shifted left by the normalisation) left in `u[..n]`. The products
/// are of two digits (below 2^64), so they are computed without an overflow check.
fn long_division(u: &mut [u32; 9], v: &[u32; 4], (m, n): (usize, usize), q: &mut [u32; 9]) {
    const BASE: u64 = 1 << 32;
    // normalise: the divisor's top digit gets its top bit set (u gains a digit)
    let s = v[n - 1].leading_zeros();
    let shl = |hi: u32, lo: u32| ((((hi as u64) << 32) | lo as u64) << s >> 32) as u32;
    let mut vn = [0u32; 4];
    for i in (1..n).rev() {
        vn[i] = shl(v[i], v[i - 1]);
    }
    vn[0] = v[0] << s;
    u[m] = shl(0, u[m - 1]);
    for i in (1..m).rev() {
        u[i] = shl(u[i], u[i - 1]);
    }
    u[0] <<= s;
    let (top, next) = (vn[n - 1] as u64, vn[n - 2] as u64);
    for j in (0..=m - n).rev() {
        // estimate the digit from the top two digits, then correct it at most twice
        let num = ((u[j + n] as u64) << 32) | u[j + n - 1] as u64;
        let mut qhat = num / top;
        let mut rhat = num - qhat.wrapping_mul(top);
        while qhat >= BASE || qhat.wrapping_mul(next) > ((rhat << 32) | u[j + n - 2] as u64) {
            qhat -= 1;
            rhat += top;
            if rhat >= BASE {
                break;
            }
        }
        // multiply and subtract (qhat < 2^32 here)
        let window = &mut u[j..=j + n];
        let mut borrow: i64 = 0;
        for (digit, d) in window.iter_mut().zip(&vn[..n]) {
            let p = qhat.wrapping_mul(*d as u64);
            let t = *digit as i64 - borrow - (p & 0xffff_ffff) as i64;
            *digit = t as u32;
            borrow = (p >> 32) as i64 - (t >> 32);
        }
        let t = window[n] as i64 - borrow;
        window[n] = t as u32;
        if t < 0 {
            // the estimate was one too large (rare): add the divisor back
            qhat -= 1;
            let mut carry = 0u64;
            for (digit, d) in window.iter_mut().zip(&vn[..n]) {
                let t = *digit as u64 + *d as u64 + carry;
                *digit = t as u32;
                carry = t >> 32;
            }
            window[n] = window[n].wrapping_add(carry as u32);
        }
        q[j] = qhat as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ethnum::U256;
    use proptest::prelude::*;

    fn reference(a: u128, b: u128, c: u128) -> Option<(u128, bool)> {
        let p = U256::from(a) * U256::from(b);
        let (q, r) = (p / U256::from(c), p % U256::from(c));
        u128::try_from(q).ok().map(|q| (q, r == U256::ZERO))
    }

    /// Operands of every width, so that each divisor and dividend digit count is drawn.
    fn operand() -> impl Strategy<Value = u128> {
        (any::<u128>(), 0u32..128).prop_map(|(x, shift)| x >> shift)
    }

    proptest! {
        /// The digit division is the exact 256-bit one, quotient and exactness, at every width.
        #[test]
        fn matches_the_256_bit_division(a in operand(), b in operand(), c in operand()) {
            // any divisor, a one-digit one, and a Wad (each its own path)
            for c in [c.max(1), (c as u32).max(1) as u128, crate::math::fixed::WAD] {
                prop_assert_eq!(mul_div_256(a, b, c), reference(a, b, c));
            }
            let p = mul_256(a, b);
            let wide = U256::from(a) * U256::from(b);
            prop_assert_eq!(p[0] as u128 | (p[1] as u128) << 64, *wide.low());
            prop_assert_eq!(p[2] as u128 | (p[3] as u128) << 64, *wide.high());
        }

        /// Exact multiples and their neighbours (the add-back and the boundaries of exactness).
        #[test]
        fn exact_multiples_and_neighbours(q in operand(), c in operand(), d in 0u128..3) {
            let c = c.max(1);
            if let Some(x) = q.checked_mul(c) {
                for x in [x, x.saturating_add(d), x.saturating_sub(d)] {
                    prop_assert_eq!(mul_div_256(x, 1, c), reference(x, 1, c));
                    prop_assert_eq!(mul_div_256(x, u128::MAX, c), reference(x, u128::MAX, c));
                }
            }
        }
    }

    #[test]
    fn edges() {
        let max = u128::MAX;
        for (a, b, c) in [
            (max, max, max),
            (max, max, 1),
            (max, max, max - 1),
            (max, 1, max),
            (0, max, 7),
            (1 << 127, 2, 1 << 64),
            (max, max, 1 << 96),
            (max, max, (1 << 96) + 1),
            (0x8000_0000_0000_0000_0000_0000_0000_0001, 3, 0x8000_0000),
            (1_000_000_000_000_000_000, 1_000_000_000_000_000_000_000, 3),
            // forces the long division's add-back step (a quotient digit estimated one too high)
            (
                0x7fff_0000_8000_0000_0000_0000_0000,
                1,
                0x8000_0000_0000_0000_0001,
            ),
        ] {
            assert_eq!(mul_div_256(a, b, c), reference(a, b, c), "{a} {b} {c}");
        }
    }
}
