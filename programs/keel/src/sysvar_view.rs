//! A zero-copy view of the instructions sysvar: the transaction's top-level instructions, read in
//! place (the flash-loan repayment rule, instructions/flash/scan.rs; the durable-nonce guard,
//! governance/nonce_guard.rs). (`solana_instructions_sysvar::load_instruction_at_checked` copies every account list
//! and data into new vectors, and the SBF heap is a bump allocator that never frees: scanning a
//! transaction with a large swap in it would spend the heap. A test pins this reader to that
//! crate's own serializer.)
//!
//! ```text
//! [count u16][offset u16 * count] then per instruction, at its offset:
//!   [accounts u16][(flags u8, key 32) * accounts][program id 32][data len u16][data]
//! ... [index of the instruction executing u16]   (the sysvar's last two bytes)
//! ```
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Bytes of one account entry: flags and key.
const ACCOUNT_ENTRY: usize = 33;

/// The instructions sysvar's data.
pub struct InstructionsView<'a> {
    data: &'a [u8],
}

/// One top-level instruction, borrowed from the sysvar.
pub struct InstructionView<'a> {
    accounts: &'a [u8],
    /// The program it calls.
    pub program_id: Pubkey,
    /// Its data.
    pub data: &'a [u8],
}

fn u16_at(data: &[u8], at: usize) -> Result<usize> {
    data.get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        .ok_or_else(|| error!(KeelError::InvalidInstructionsSysvar))
}

impl<'a> InstructionsView<'a> {
    /// A view of `data` (the sysvar's account data).
    pub fn new(data: &'a [u8]) -> Result<Self> {
        require!(data.len() >= 4, KeelError::InvalidInstructionsSysvar);
        Ok(InstructionsView { data })
    }

    /// How many top-level instructions the transaction has.
    pub fn len(&self) -> Result<usize> {
        u16_at(self.data, 0)
    }

    /// Whether the transaction has no instructions (never, while one executes).
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The index of the instruction executing.
    pub fn current_index(&self) -> Result<usize> {
        u16_at(self.data, self.data.len() - 2)
    }

    /// Instruction `index`.
    pub fn get(&self, index: usize) -> Result<InstructionView<'a>> {
        require!(index < self.len()?, KeelError::InvalidInstructionsSysvar);
        let start = u16_at(self.data, 2 + 2 * index)?;
        let accounts = u16_at(self.data, start)?;
        let accounts_at = start + 2;
        let program_at = accounts_at + accounts * ACCOUNT_ENTRY;
        let data_len_at = program_at + 32;
        let data_at = data_len_at + 2;
        let data_len = u16_at(self.data, data_len_at)?;
        let slice = |from: usize, to: usize| {
            self.data
                .get(from..to)
                .ok_or_else(|| error!(KeelError::InvalidInstructionsSysvar))
        };
        let program: [u8; 32] = slice(program_at, data_len_at)?
            .try_into()
            .map_err(|_| error!(KeelError::InvalidInstructionsSysvar))?;
        Ok(InstructionView {
            accounts: slice(accounts_at, program_at)?,
            program_id: Pubkey::new_from_array(program),
            data: slice(data_at, data_at + data_len)?,
        })
    }
}

impl InstructionView<'_> {
    /// The key of the instruction's account `index`, if it has that many.
    pub fn account(&self, index: usize) -> Option<Pubkey> {
        let at = index * ACCOUNT_ENTRY + 1;
        let key: [u8; 32] = self.accounts.get(at..at + 32)?.try_into().ok()?;
        Some(Pubkey::new_from_array(key))
    }

    /// How many accounts it lists.
    pub fn account_count(&self) -> usize {
        self.accounts.len() / ACCOUNT_ENTRY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    use proptest::prelude::*;
    use solana_instructions_sysvar::construct_instructions_data;

    fn borrowed(
        ix: &Instruction,
    ) -> anchor_lang::solana_program::sysvar::instructions::BorrowedInstruction<'_> {
        use anchor_lang::solana_program::sysvar::instructions::{
            BorrowedAccountMeta, BorrowedInstruction,
        };
        BorrowedInstruction {
            program_id: &ix.program_id,
            accounts: ix
                .accounts
                .iter()
                .map(|a| BorrowedAccountMeta {
                    pubkey: &a.pubkey,
                    is_signer: a.is_signer,
                    is_writable: a.is_writable,
                })
                .collect(),
            data: &ix.data,
        }
    }

    proptest! {
        /// Every instruction, account and data byte read in place equals what the crate's own
        /// serializer wrote (and its own reader returns).
        #[test]
        fn reads_what_the_runtime_writes(
            shapes in prop::collection::vec((0usize..40, prop::collection::vec(any::<u8>(), 0..120), any::<bool>()), 1..8),
            current in any::<u16>(),
        ) {
            let ixs: Vec<Instruction> = shapes
                .iter()
                .map(|(n, data, w)| Instruction {
                    program_id: Pubkey::new_unique(),
                    accounts: (0..*n).map(|i| AccountMeta { pubkey: Pubkey::new_unique(), is_signer: i % 3 == 0, is_writable: *w }).collect(),
                    data: data.clone(),
                })
                .collect();
            let current = current as usize % ixs.len();
            let mut data = construct_instructions_data(&ixs.iter().map(borrowed).collect::<Vec<_>>());
            let n = data.len();
            data[n - 2..].copy_from_slice(&(current as u16).to_le_bytes());
            let view = InstructionsView::new(&data).unwrap();
            prop_assert_eq!(view.len().unwrap(), ixs.len());
            prop_assert_eq!(view.current_index().unwrap(), current);
            for (i, ix) in ixs.iter().enumerate() {
                let v = view.get(i).unwrap();
                prop_assert_eq!(v.program_id, ix.program_id);
                prop_assert_eq!(v.data, &ix.data[..]);
                prop_assert_eq!(v.account_count(), ix.accounts.len());
                for (j, meta) in ix.accounts.iter().enumerate() {
                    prop_assert_eq!(v.account(j), Some(meta.pubkey));
                }
                prop_assert_eq!(v.account(ix.accounts.len()), None);
            }
            prop_assert!(view.get(ixs.len()).is_err());
            prop_assert!(InstructionsView::new(&data[..3]).is_err());
        }
    }
}
