//! Admin instructions refuse to run in a durable-nonce transaction.
//!
//! A durable-nonce transaction never expires: a pre-signed admin transaction can be held and
//! submitted long after the signers' intent changed (a known takeover path). Such a transaction
//! must start with the System program's `AdvanceNonceAccount`, which is what this guard looks for
//! through the instructions sysvar. It runs as an accounts constraint of every governance
//! accounts type (instructions/admin/governance_accounts.rs), so no instruction can forget it.
use crate::errors::KeelError;
use crate::sysvar_view::InstructionsView;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::system_program;

/// `SystemInstruction::AdvanceNonceAccount` as serialized (bincode u32 LE tag 4).
const ADVANCE_NONCE_TAG: [u8; 4] = [4, 0, 0, 0];

/// True when the transaction does not advance a durable nonce; errors when `instructions_sysvar`
/// is not the instructions sysvar.
pub fn not_durable_nonce(instructions_sysvar: &AccountInfo) -> Result<bool> {
    require_keys_eq!(
        *instructions_sysvar.key,
        solana_instructions_sysvar::ID,
        KeelError::InvalidInstructionsSysvar
    );
    let data = instructions_sysvar.try_borrow_data()?;
    let first = InstructionsView::new(&data)?.get(0)?;
    let advances_nonce = first.program_id == system_program::ID
        && first.data.get(..4) == Some(&ADVANCE_NONCE_TAG[..]);
    Ok(!advances_nonce)
}
