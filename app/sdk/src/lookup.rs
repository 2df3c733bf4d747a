//! Address lookup tables: what lets a transaction carry more accounts than a 1,232-byte packet
//! holds as static keys (a liquidation of an account with many positions, a flash liquidation with
//! its swap). Every `Chain` backend sends a v0 transaction through the tables it was given when
//! the legacy one would not fit a packet, and refuses, with a message naming the fix, a
//! transaction that fits neither way.
//!
//! ```text
//! a table:  create (authority, payer, a recent slot) then extend (at most 30 addresses each);
//!           its addresses are usable from the slot after their extension
//! v0:       static keys = signers, programs and what no table holds; the rest by table index
//! ```
use anchor_lang::prelude::Pubkey;
use solana_address_lookup_table_interface::instruction::{
    create_lookup_table, extend_lookup_table,
};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use std::sync::RwLock;

/// Addresses one `extend` instruction carries (it must fit a transaction with its create).
pub const EXTEND_CHUNK: usize = 30;

/// The largest serialized transaction a cluster accepts (`solana_packet::PACKET_DATA_SIZE`).
pub const PACKET_DATA_SIZE: usize = 1232;

/// The tables a backend compiles v0 transactions with.
#[derive(Debug, Default)]
pub struct TableSet(RwLock<Vec<AddressLookupTableAccount>>);

impl TableSet {
    /// Replace the tables.
    pub fn set(&self, tables: Vec<AddressLookupTableAccount>) {
        *self.0.write().unwrap() = tables;
    }

    /// The tables, read in place (no copy of their addresses for every transaction).
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<AddressLookupTableAccount>> {
        self.0.read().unwrap()
    }
}

/// A lookup table from its account data (None when it is not one).
pub fn decode_table(key: Pubkey, data: &[u8]) -> Option<AddressLookupTableAccount> {
    let table = AddressLookupTable::deserialize(data).ok()?;
    Some(AddressLookupTableAccount {
        key,
        addresses: table.addresses.to_vec(),
    })
}

/// The accounts of `ixs` a table can hold: every one that neither signs nor is a program (those
/// must stay static keys), sorted, once each.
pub fn table_addresses(ixs: &[Instruction], signers: &[Pubkey]) -> Vec<Pubkey> {
    let programs: Vec<Pubkey> = ixs.iter().map(|ix| ix.program_id).collect();
    let mut addresses: Vec<Pubkey> = ixs
        .iter()
        .flat_map(|ix| ix.accounts.iter())
        .filter(|m| !m.is_signer && !signers.contains(&m.pubkey) && !programs.contains(&m.pubkey))
        .map(|m| m.pubkey)
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

/// The instructions that create a table owned by `authority` (paid by `payer`, derived from
/// `recent_slot`, a slot the cluster still lists in its slot hashes) and fill it with
/// `addresses`: the table's key, the create instruction, then one extend per `EXTEND_CHUNK`
/// addresses (send each in its own transaction, or the first with the create).
pub fn create_table_ixs(
    authority: Pubkey,
    payer: Pubkey,
    recent_slot: u64,
    addresses: &[Pubkey],
) -> (Pubkey, Vec<Instruction>) {
    let (create, table) = create_lookup_table(authority, payer, recent_slot);
    let mut ixs = vec![create];
    for chunk in addresses.chunks(EXTEND_CHUNK) {
        ixs.push(extend_lookup_table(
            table,
            authority,
            Some(payer),
            chunk.to_vec(),
        ));
    }
    (table, ixs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::AccountMeta;

    #[test]
    fn tables_hold_neither_signers_nor_programs_and_extend_in_chunks() {
        let (signer, program, a, b) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let ix = Instruction {
            program_id: program,
            accounts: vec![
                AccountMeta::new(signer, true),
                AccountMeta::new(a, false),
                AccountMeta::new_readonly(b, false),
                AccountMeta::new_readonly(a, false),
                AccountMeta::new_readonly(program, false),
            ],
            data: vec![],
        };
        let mut want = vec![a, b];
        want.sort();
        assert_eq!(table_addresses(&[ix], &[signer]), want);
        let many: Vec<Pubkey> = (0..65).map(|_| Pubkey::new_unique()).collect();
        let (table, ixs) = create_table_ixs(signer, signer, 7, &many);
        assert_eq!(ixs.len(), 1 + 3, "create, then 30 + 30 + 5");
        assert!(ixs[1..].iter().all(|ix| ix.accounts[0].pubkey == table));
    }
}
