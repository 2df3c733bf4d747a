//! Conversions between token amounts and market shares, each rounded in the protocol's favour.
//!
//! ```text
//! deposit amount of s shares  = floor(s * deposit_index)
//! debt amount of s shares     = ceil(s * borrow_index)
//! shares minted by depositing a   = floor(a / deposit_index)   (depositor gets no more than paid)
//! shares burned by withdrawing a  = ceil(a / deposit_index)    (withdrawer gives up at least a)
//! shares of debt for borrowing a  = ceil(a / borrow_index)     (borrower owes at least a)
//! shares of debt repaid by a      = floor(a / borrow_index)    (repayer clears no more than paid)
//! ```
use super::fixed::{Rounding, Wad};
use anchor_lang::prelude::*;

/// Tokens a depositor can claim for `shares` (rounded down).
pub fn deposit_amount(shares: u64, deposit_index: Wad) -> Result<u64> {
    if shares == 0 {
        return Ok(0);
    }
    deposit_index.scale_u64(shares, Rounding::Down)
}

/// Tokens owed for `shares` of debt (rounded up).
pub fn debt_amount(shares: u64, borrow_index: Wad) -> Result<u64> {
    if shares == 0 {
        return Ok(0);
    }
    borrow_index.scale_u64(shares, Rounding::Up)
}

/// Shares minted for depositing `amount` (rounded down).
pub fn shares_for_deposit(amount: u64, deposit_index: Wad) -> Result<u64> {
    deposit_index.unscale_u64(amount, Rounding::Down)
}

/// Shares burned for withdrawing `amount` (rounded up).
pub fn shares_for_withdraw(amount: u64, deposit_index: Wad) -> Result<u64> {
    deposit_index.unscale_u64(amount, Rounding::Up)
}

/// Debt shares created by borrowing `amount` (rounded up).
pub fn shares_for_borrow(amount: u64, borrow_index: Wad) -> Result<u64> {
    borrow_index.unscale_u64(amount, Rounding::Up)
}

/// Debt shares cleared by repaying `amount` (rounded down).
pub fn shares_for_repay(amount: u64, borrow_index: Wad) -> Result<u64> {
    borrow_index.unscale_u64(amount, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::fixed::WAD;
    use proptest::prelude::*;

    fn index() -> impl Strategy<Value = Wad> {
        (WAD..WAD * 50).prop_map(Wad)
    }

    proptest! {
        /// Deposit then withdraw everything: never more tokens out than in.
        #[test]
        fn deposit_round_trip_never_profits(amount in 1u64..u64::MAX / 64, idx in index()) {
            let shares = shares_for_deposit(amount, idx).unwrap();
            let out = deposit_amount(shares, idx).unwrap();
            prop_assert!(out <= amount);
        }

        /// Withdrawing a chosen amount burns at least the shares that amount is worth.
        #[test]
        fn withdraw_burns_enough(amount in 1u64..u64::MAX / 64, idx in index()) {
            let burned = shares_for_withdraw(amount, idx).unwrap();
            prop_assert!(deposit_amount(burned, idx).unwrap() >= amount);
        }

        /// Borrow then repay: clearing the debt costs at least what was borrowed.
        #[test]
        fn borrow_round_trip_never_profits(amount in 1u64..u64::MAX / 64, idx in index()) {
            let shares = shares_for_borrow(amount, idx).unwrap();
            let owed = debt_amount(shares, idx).unwrap();
            prop_assert!(owed >= amount);
            // repaying exactly the borrowed amount never clears more shares than were created
            prop_assert!(shares_for_repay(amount, idx).unwrap() <= shares);
        }

        /// Many tiny deposits never mint more shares than one deposit of their sum.
        #[test]
        fn splitting_never_gains(parts in proptest::collection::vec(1u64..1_000_000, 1..20), idx in index()) {
            let split: u64 = parts.iter().map(|a| shares_for_deposit(*a, idx).unwrap()).sum();
            let whole = shares_for_deposit(parts.iter().sum(), idx).unwrap();
            prop_assert!(split <= whole);
        }
    }
}
