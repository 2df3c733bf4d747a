//! Flash-loan fee.
//!
//! ```text
//! fee = ceil(amount * fee_bps / 10_000)   (rounded up: the protocol is never paid less than its rate)
//! owed = amount + fee
//! ```
use super::fixed::{mul_div, Rounding};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// The fee on a flash loan of `amount` base units at `fee_bps`.
pub fn flash_fee(amount: u64, fee_bps: u16) -> Result<u64> {
    let fee = mul_div(amount as u128, fee_bps as u128, 10_000, Rounding::Up)?;
    u64::try_from(fee).map_err(|_| error!(KeelError::MathOverflow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(flash_fee(1_000_000, 9).unwrap(), 900);
        assert_eq!(
            flash_fee(1, 9).unwrap(),
            1,
            "any fee rate charges at least a base unit"
        );
        assert_eq!(flash_fee(1_000_000, 0).unwrap(), 0, "a zero rate is free");
        assert_eq!(flash_fee(u64::MAX, 100).unwrap(), u64::MAX / 100 + 1);
    }

    proptest! {
        /// The fee is the exact fee rounded up: never below it, less than a unit above it.
        #[test]
        fn fee_rounds_up_by_less_than_a_unit(amount in any::<u64>(), bps in 0u16..=10_000) {
            let fee = flash_fee(amount, bps).unwrap() as u128;
            let exact_times_bps = amount as u128 * bps as u128;
            prop_assert!(fee * 10_000 >= exact_times_bps);
            prop_assert!(fee * 10_000 < exact_times_bps + 10_000);
        }
    }
}
