//! `FlashLoan`: the flash loan a market has out, between a `flash_borrow` and its `flash_repay` in
//! the same transaction (instructions/flash/). Always empty between transactions: the borrow is
//! refused unless the transaction repays it (instructions/flash/scan.rs).
//!
//! ```text
//! books while a loan is out: vault + principal >= deposits - debt + insurance fund  (invariant 1:
//!   the principal is a receivable of the vault; the fee joins the insurance fund only when paid)
//! ```
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// A market's outstanding flash loan (both zero: none).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct FlashLoan {
    /// Base units lent out of the vault.
    pub principal: u64,
    /// Fee owed on top, in base units (to the insurance fund).
    pub fee: u64,
}

impl FlashLoan {
    /// True when a loan is out.
    pub fn is_open(&self) -> bool {
        self.principal != 0
    }

    /// What the repayment must bring back: principal + fee.
    pub fn owed(&self) -> Result<u64> {
        self.principal
            .checked_add(self.fee)
            .ok_or_else(|| error!(KeelError::MathOverflow))
    }
}
