//! How every backend builds a transaction: the instructions behind a compute-unit limit, compiled
//! once (legacy when it fits a packet, else v0 through the sender's lookup tables), then signed
//! once. The size is known before signing (a signature is 64 bytes whatever it signs), so a
//! transaction that ends up v0 is not signed twice, and a simulation, which no node verifies when
//! asked not to (`sigVerify: false`), need not be signed at all.
use super::ChainError;
use crate::lookup::PACKET_DATA_SIZE;
use anchor_lang::prelude::Pubkey;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, Message, VersionedMessage};
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::VersionedTransaction;

/// `ixs` behind a compute-unit limit, signed by `payer` and `signers` on `blockhash`: what every
/// backend sends. A legacy transaction when it fits a packet; otherwise a v0 transaction whose
/// accounts come from `tables` where they hold them; refused (before anything is sent) when it
/// fits neither way, with the fix named (lookup.rs).
pub fn signed_transaction(
    payer: &Keypair,
    signers: &[&Keypair],
    ixs: &[Instruction],
    compute_units: u32,
    blockhash: solana_sdk::hash::Hash,
    tables: &[AddressLookupTableAccount],
) -> Result<VersionedTransaction, ChainError> {
    let message = compile(&payer.pubkey(), ixs, compute_units, blockhash, tables)?;
    VersionedTransaction::try_new(message, &signer_list(payer, signers))
        .map_err(|e| ChainError::Transport(format!("signing: {e}")))
}

/// The transaction [`signed_transaction`] would build, with every signature left empty: what a
/// simulation without signature verification needs (the same message, the same size).
pub fn unsigned_transaction(
    payer: &Pubkey,
    ixs: &[Instruction],
    compute_units: u32,
    blockhash: solana_sdk::hash::Hash,
    tables: &[AddressLookupTableAccount],
) -> Result<VersionedTransaction, ChainError> {
    compile(payer, ixs, compute_units, blockhash, tables).map(unsigned)
}

/// The fee payer followed by the other signers (the payer once, even if also named).
pub fn signer_list<'a>(payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut keys = vec![payer];
    keys.extend(signers.iter().filter(|k| k.pubkey() != payer.pubkey()));
    keys
}

/// `ixs` behind a compute-unit limit.
fn with_budget(ixs: &[Instruction], compute_units: u32) -> Vec<Instruction> {
    let mut all = vec![ComputeBudgetInstruction::set_compute_unit_limit(
        compute_units,
    )];
    all.extend_from_slice(ixs);
    all
}

/// `message` with an empty signature for each signer it requires.
fn unsigned(message: VersionedMessage) -> VersionedTransaction {
    let signatures = vec![Signature::default(); message.header().num_required_signatures as usize];
    VersionedTransaction {
        signatures,
        message,
    }
}

/// Serialized size of `message` once signed.
fn signed_size(message: &VersionedMessage) -> usize {
    bincode::serialized_size(&unsigned(message.clone())).unwrap_or(u64::MAX) as usize
}

/// The message of `ixs` behind a compute-unit limit, paid by `payer`: legacy when it fits a
/// packet, else v0 through `tables`, else an error naming the fix.
fn compile(
    payer: &Pubkey,
    ixs: &[Instruction],
    compute_units: u32,
    blockhash: solana_sdk::hash::Hash,
    tables: &[AddressLookupTableAccount],
) -> Result<VersionedMessage, ChainError> {
    let all = with_budget(ixs, compute_units);
    let legacy =
        VersionedMessage::Legacy(Message::new_with_blockhash(&all, Some(payer), &blockhash));
    let legacy_size = signed_size(&legacy);
    if legacy_size <= PACKET_DATA_SIZE {
        return Ok(legacy);
    }
    let too_large = |n: usize| {
        ChainError::Transport(format!(
            "transaction too large: {n} bytes > {PACKET_DATA_SIZE}; {}",
            if tables.is_empty() {
                "give the sender an address lookup table holding its accounts (keel_sdk::lookup)"
            } else {
                "the lookup tables do not hold enough of its accounts"
            }
        ))
    };
    if tables.is_empty() {
        return Err(too_large(legacy_size));
    }
    let message = v0::Message::try_compile(payer, &all, tables, blockhash)
        .map_err(|e| ChainError::Transport(format!("v0 message: {e}")))?;
    let v0 = VersionedMessage::V0(message);
    match signed_size(&v0) {
        n if n <= PACKET_DATA_SIZE => Ok(v0),
        n => Err(too_large(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::hash::Hash;
    use solana_sdk::instruction::AccountMeta;
    use solana_sdk::transaction::Transaction;

    fn instruction(signer: &Pubkey, accounts: usize) -> Instruction {
        let mut metas = vec![AccountMeta::new(*signer, true)];
        metas.extend((0..accounts).map(|_| AccountMeta::new(Pubkey::new_unique(), false)));
        Instruction::new_with_bytes(Pubkey::new_unique(), &[7; 16], metas)
    }

    fn size(tx: &VersionedTransaction) -> usize {
        bincode::serialized_size(tx).unwrap() as usize
    }

    #[test]
    fn a_small_transaction_is_the_legacy_one_signed_once_by_every_signer() {
        let (payer, owner) = (Keypair::new(), Keypair::new());
        let ixs = [instruction(&owner.pubkey(), 3)];
        let blockhash = Hash::new_unique();
        let tx = signed_transaction(&payer, &[&owner], &ixs, 200_000, blockhash, &[]).unwrap();
        // what solana-sdk builds for the same instructions, byte for byte
        let reference = Transaction::new_signed_with_payer(
            &with_budget(&ixs, 200_000),
            Some(&payer.pubkey()),
            &[&payer, &owner],
            blockhash,
        );
        assert_eq!(tx, VersionedTransaction::from(reference));
        assert_eq!(tx.verify_with_results(), vec![true, true]);
        // the unsigned one: the same message and size, empty signatures
        let unsigned =
            unsigned_transaction(&payer.pubkey(), &ixs, 200_000, blockhash, &[]).unwrap();
        assert_eq!(unsigned.message, tx.message);
        assert_eq!(unsigned.signatures, vec![Signature::default(); 2]);
        assert_eq!(size(&unsigned), size(&tx));
    }

    #[test]
    fn a_large_transaction_is_v0_through_the_tables_and_verifies() {
        let payer = Keypair::new();
        let ixs = [instruction(&payer.pubkey(), 40)];
        let blockhash = Hash::new_unique();
        let err = signed_transaction(&payer, &[], &ixs, 200_000, blockhash, &[]).unwrap_err();
        assert!(err.to_string().contains("address lookup table"), "{err}");
        let table = AddressLookupTableAccount {
            key: Pubkey::new_unique(),
            addresses: ixs[0].accounts[1..].iter().map(|m| m.pubkey).collect(),
        };
        let tables = [table];
        let tx = signed_transaction(&payer, &[], &ixs, 200_000, blockhash, &tables).unwrap();
        assert!(matches!(tx.message, VersionedMessage::V0(_)));
        assert_eq!(tx.verify_with_results(), vec![true]);
        assert!(size(&tx) <= PACKET_DATA_SIZE);
        let unsigned =
            unsigned_transaction(&payer.pubkey(), &ixs, 200_000, blockhash, &tables).unwrap();
        assert_eq!(unsigned.message, tx.message);
        assert_eq!(size(&unsigned), size(&tx));
        // a table holding too few of the accounts still leaves it too large
        let short = [AddressLookupTableAccount {
            key: Pubkey::new_unique(),
            addresses: tables[0].addresses[..2].to_vec(),
        }];
        let err = signed_transaction(&payer, &[], &ixs, 200_000, blockhash, &short).unwrap_err();
        assert!(err.to_string().contains("do not hold enough"), "{err}");
    }

    #[test]
    fn a_signer_the_instructions_do_not_name_is_refused() {
        let (payer, stranger) = (Keypair::new(), Keypair::new());
        let ixs = [instruction(&payer.pubkey(), 1)];
        let err =
            signed_transaction(&payer, &[&stranger], &ixs, 1, Hash::new_unique(), &[]).unwrap_err();
        assert!(err.to_string().contains("signing"), "{err}");
    }
}
