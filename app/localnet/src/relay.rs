//! A relay: a native program that calls Keel by CPI with its own accounts and data, for the tests
//! that show which Keel instructions refuse to be called by another program (flash loans are
//! top-level only). Accounts: Keel's program account, then the Keel instruction's accounts.
use anchor_lang::prelude::{AccountInfo, AccountMeta, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program::invoke;
use anchor_lang::solana_program::program_error::ProgramError;

/// The relay's program id.
pub const RELAY_PROGRAM_ID: Pubkey = Pubkey::new_from_array(*b"keel-test-cpi-relay-program-0001");

/// The relay instruction that makes Keel run `inner` by CPI.
pub fn relay_ix(inner: &Instruction) -> Instruction {
    let mut accounts = vec![AccountMeta::new_readonly(inner.program_id, false)];
    accounts.extend(inner.accounts.iter().cloned());
    Instruction {
        program_id: RELAY_PROGRAM_ID,
        accounts,
        data: inner.data.clone(),
    }
}

/// The relay program.
pub fn process(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let (program, rest) = accounts
        .split_first()
        .ok_or(ProgramError::NotEnoughAccountKeys)?;
    let inner = Instruction {
        program_id: *program.key,
        accounts: rest
            .iter()
            .map(|a| AccountMeta {
                pubkey: *a.key,
                is_signer: a.is_signer,
                is_writable: a.is_writable,
            })
            .collect(),
        data: data.to_vec(),
    };
    invoke(&inner, accounts)
}
