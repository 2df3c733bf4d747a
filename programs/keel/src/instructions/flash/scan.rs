//! The repayment rule `flash_borrow` checks before lending, over the transaction's top-level
//! instructions (the instructions sysvar):
//!
//! ```text
//! the borrow is top-level (stack height 1), not called by another program
//! exactly one Keel flash_borrow in the transaction: this one          else FlashLoanNested
//! exactly one Keel flash_repay in the transaction                     else FlashLoanNested /
//!                                                                          FlashLoanNotRepaid
//! the repay comes after the borrow                                    else FlashLoanNotRepaid
//! the repay names the same market and repays amount + fee             else FlashRepayMismatch
//! ```
//! A top-level instruction cannot be skipped: when any instruction fails, the whole transaction
//! does. So once the borrow has seen its repay later in the transaction, either the repay runs
//! (and takes exactly what the market recorded as owed, `flash_repay`) or nothing happened.
//! One loan per transaction keeps the rule simple to check and to audit; a flash liquidation or a
//! leveraged open needs one.
use crate::errors::KeelError;
use crate::sysvar_view::InstructionsView;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

/// Stack height of a top-level instruction (`solana_instruction::TRANSACTION_LEVEL_STACK_HEIGHT`).
pub const TRANSACTION_LEVEL_STACK_HEIGHT: usize = 1;

/// Position of the market among `flash_repay`'s accounts (payer, then the market): pinned to the
/// accounts struct by a test.
pub const REPAY_MARKET_ACCOUNT: usize = 1;

/// Refuse unless the instruction executing was not called by another program.
pub fn require_top_level() -> Result<()> {
    require_eq!(
        anchor_lang::solana_program::instruction::get_stack_height(),
        TRANSACTION_LEVEL_STACK_HEIGHT,
        KeelError::FlashLoanCpi
    );
    Ok(())
}

/// What a Keel instruction of the transaction is, as far as flash loans go.
enum FlashKind {
    Borrow,
    /// A repay: its market and amount (None when its data is too short to be one).
    Repay(Option<(Pubkey, u64)>),
}

fn flash_kind(program_id: &Pubkey, data: &[u8], market: Option<Pubkey>) -> Option<FlashKind> {
    if *program_id != crate::ID {
        return None;
    }
    let borrow = crate::instruction::FlashBorrow::DISCRIMINATOR;
    let repay = crate::instruction::FlashRepay::DISCRIMINATOR;
    if data.starts_with(borrow) {
        return Some(FlashKind::Borrow);
    }
    if !data.starts_with(repay) {
        return None;
    }
    let amount = data
        .get(repay.len()..repay.len() + 8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes);
    Some(FlashKind::Repay(market.zip(amount)))
}

/// Refuse unless the transaction repays a loan of `market` for `owed` after the instruction
/// executing (the flash_borrow), and holds no other flash loan.
pub fn require_repaid_later(sysvar_data: &[u8], market: Pubkey, owed: u64) -> Result<()> {
    let view = InstructionsView::new(sysvar_data)?;
    let current = view.current_index()?;
    let mut repay = None;
    for i in 0..view.len()? {
        let ix = view.get(i)?;
        match flash_kind(&ix.program_id, ix.data, ix.account(REPAY_MARKET_ACCOUNT)) {
            None => {}
            Some(FlashKind::Borrow) => require_eq!(i, current, KeelError::FlashLoanNested),
            Some(FlashKind::Repay(terms)) => {
                require!(repay.is_none(), KeelError::FlashLoanNested);
                repay = Some((i, terms));
            }
        }
    }
    let (at, terms) = repay.ok_or_else(|| error!(KeelError::FlashLoanNotRepaid))?;
    require!(at > current, KeelError::FlashLoanNotRepaid);
    require!(terms == Some((market, owed)), KeelError::FlashRepayMismatch);
    Ok(())
}
