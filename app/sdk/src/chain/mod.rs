//! `Chain`: what every Keel client needs from a cluster, with two backends.
//!
//! - [`RpcChain`]: JSON-RPC through `solana-client` (devnet, mainnet, a local validator).
//! - [`BanksChain`]: the in-process runtime of `solana-program-test`, through its BanksClient
//!   (a program-test user's tests; Keel's simulator runs on `keel_localnet::bank_chain`, which
//!   calls the bank directly).
//!   The in-process bank keeps no account index, so its `program_accounts` answers from the
//!   accounts this backend has touched (every account of every instruction it sent) or been told
//!   about with [`BanksChain::track`]; filters are applied exactly as an RPC node would.
//!
//! Here: the trait, the filters and errors; `rpc.rs` and `banks.rs` hold the backends,
//! `transaction.rs` how a transaction is compiled and signed.
// solana-banks-client 3.x marks its API deprecated ahead of an `agave-unstable-api` feature gate,
// and the typed get_program_accounts is deprecated in favour of UI accounts (still served).
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::transaction::TransactionError;
use std::fmt;

mod banks;
mod rpc;
mod transaction;
pub use banks::{AccountIndex, BanksChain, LogSink};
pub use rpc::RpcChain;
pub use transaction::{signed_transaction, signer_list, unsigned_transaction};

/// A memcmp filter: `bytes` at `offset` of the account data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Byte offset in the account data.
    pub offset: usize,
    /// Bytes that must be there.
    pub bytes: Vec<u8>,
}

/// The filters that find a pool's accounts of each kind (discriminator plus a memcmp on the field
/// at a fixed offset), the same over RPC and in process.
pub mod filters {
    use super::Filter;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::Discriminator;
    use keel::state::{
        DeleverageOrder, MarginAccount, Market, PendingChange, ORDER_ACCOUNT_OFFSET,
        ORDER_POOL_OFFSET, OWNER_OFFSET, POOL_OFFSET,
    };

    fn of<T: Discriminator>(offset: usize, key: &Pubkey) -> [Filter; 2] {
        [
            Filter {
                offset: 0,
                bytes: T::DISCRIMINATOR.to_vec(),
            },
            Filter {
                offset,
                bytes: key.to_bytes().to_vec(),
            },
        ]
    }

    /// The markets of `pool` (`Market.pool` is its first field).
    pub fn markets(pool: &Pubkey) -> [Filter; 2] {
        of::<Market>(8, pool)
    }

    /// The margin accounts of `pool`.
    pub fn margin_accounts(pool: &Pubkey) -> [Filter; 2] {
        of::<MarginAccount>(POOL_OFFSET, pool)
    }

    /// The margin accounts of `owner` in `pool`.
    pub fn margin_accounts_of(pool: &Pubkey, owner: &Pubkey) -> [Filter; 3] {
        let [d, p] = margin_accounts(pool);
        [
            d,
            p,
            Filter {
                offset: OWNER_OFFSET,
                bytes: owner.to_bytes().to_vec(),
            },
        ]
    }

    /// The deleverage orders of `pool`.
    pub fn orders(pool: &Pubkey) -> [Filter; 2] {
        of::<DeleverageOrder>(ORDER_POOL_OFFSET, pool)
    }

    /// The deleverage orders on `margin_account`.
    pub fn orders_of(margin_account: &Pubkey) -> [Filter; 2] {
        of::<DeleverageOrder>(ORDER_ACCOUNT_OFFSET, margin_account)
    }

    /// The queued changes of `pool` (`PendingChange.pool` is its first field).
    pub fn queued_changes(pool: &Pubkey) -> [Filter; 2] {
        of::<PendingChange>(8, pool)
    }
}

impl Filter {
    /// True when `data` matches.
    pub fn matches(&self, data: &[u8]) -> bool {
        data.get(self.offset..self.offset + self.bytes.len()) == Some(&self.bytes[..])
    }
}

/// Why a chain call failed.
#[derive(Debug)]
pub enum ChainError {
    /// The transaction was executed and failed (carries the program's error).
    Transaction(TransactionError),
    /// The cluster could not be reached or answered something unusable.
    Transport(String),
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Transaction(e) => write!(f, "transaction failed: {e}"),
            ChainError::Transport(e) => write!(f, "cluster unreachable or answered badly: {e}"),
        }
    }
}

impl std::error::Error for ChainError {}

/// The custom error code of a failed transaction, if it failed with one.
pub fn custom_code(err: &TransactionError) -> Option<u32> {
    use solana_sdk::instruction::InstructionError;
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
        _ => None,
    }
}

impl ChainError {
    /// The program's custom error code, when the failure carries one.
    pub fn custom_code(&self) -> Option<u32> {
        match self {
            ChainError::Transaction(e) => custom_code(e),
            ChainError::Transport(_) => None,
        }
    }
}

/// Outcome of a simulation.
#[derive(Clone, Debug, Default)]
pub struct Simulation {
    /// Compute units it consumed.
    pub compute_units: u64,
    /// Program logs.
    pub logs: Vec<String>,
    /// Return data, if any.
    pub return_data: Option<Vec<u8>>,
}

/// What Keel's clients need from a cluster.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// One account.
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>, ChainError>;
    /// Several accounts, in order.
    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError>;
    /// Accounts owned by the Keel program matching every filter.
    async fn program_accounts(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError>;
    /// Sign with the payer and `signers`, send, and wait for the outcome.
    async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Signature, ChainError>;
    /// Simulate (nothing is committed).
    async fn simulate(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Simulation, ChainError>;
    /// The cluster clock.
    async fn clock(&self) -> Result<Clock, ChainError>;
    /// The fee payer.
    fn payer(&self) -> &Keypair;
    /// Compile transactions that do not fit a packet as v0 through `tables` (lookup.rs).
    fn set_lookup_tables(&self, tables: Vec<AddressLookupTableAccount>);
    /// Read the lookup tables at `keys` and compile through them from now on; errors when one is
    /// missing or is not a lookup table.
    async fn load_lookup_tables(&self, keys: &[Pubkey]) -> Result<(), ChainError> {
        let mut tables = Vec::with_capacity(keys.len());
        for (key, account) in keys.iter().zip(self.accounts(keys).await?) {
            let table = account
                .and_then(|a| crate::lookup::decode_table(*key, &a.data))
                .ok_or_else(|| {
                    ChainError::Transport(format!("{key} is not an address lookup table"))
                })?;
            tables.push(table);
        }
        self.set_lookup_tables(tables);
        Ok(())
    }
}

/// A transport failure, as a `ChainError`.
pub(crate) fn transport(e: impl fmt::Display) -> ChainError {
    ChainError::Transport(e.to_string())
}
