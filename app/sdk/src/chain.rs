//! `Chain`: what every Keel client needs from a cluster, with two backends.
//!
//! - [`RpcChain`]: JSON-RPC through `solana-client` (devnet, mainnet, a local validator).
//! - [`BanksChain`]: the in-process runtime of `solana-program-test`, through its BanksClient
//!   (a program-test user's tests; Keel's simulator runs on `keel_localnet::bank_chain`, which
//!   calls the bank directly).
//!   The in-process bank keeps no account index, so its `program_accounts` answers from the
//!   accounts this backend has touched (every account of every instruction it sent) or been told
//!   about with [`BanksChain::track`]; filters are applied exactly as an RPC node would.
// solana-banks-client 3.x marks its API deprecated ahead of an `agave-unstable-api` feature gate,
// and the typed get_program_accounts is deprecated in favour of UI accounts (still served).
#![allow(deprecated)]
use anchor_lang::prelude::Pubkey;
use solana_banks_client::BanksClient;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_client::rpc_filter::{Memcmp, RpcFilterType};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Mutex;

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
    use keel::state::{MarginAccount, Market, PendingChange, OWNER_OFFSET, POOL_OFFSET};

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
}

/// `ixs` behind a compute-unit limit.
pub fn with_budget(ixs: &[Instruction], compute_units: u32) -> Vec<Instruction> {
    let mut all = vec![ComputeBudgetInstruction::set_compute_unit_limit(
        compute_units,
    )];
    all.extend_from_slice(ixs);
    all
}

/// The fee payer followed by the other signers (the payer once, even if also named).
pub fn signer_list<'a>(payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut keys = vec![payer];
    keys.extend(signers.iter().filter(|k| k.pubkey() != payer.pubkey()));
    keys
}

/// JSON-RPC backend.
pub struct RpcChain {
    client: RpcClient,
    payer: Keypair,
}

impl RpcChain {
    /// `ixs` behind a compute limit, signed by the payer and `signers` on the latest blockhash.
    async fn signed(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Transaction, ChainError> {
        let blockhash = self
            .client
            .get_latest_blockhash()
            .await
            .map_err(rpc_error)?;
        let all = with_budget(ixs, compute_units);
        let keys = signer_list(&self.payer, signers);
        Ok(Transaction::new_signed_with_payer(
            &all,
            Some(&self.payer.pubkey()),
            &keys,
            blockhash,
        ))
    }

    /// A backend on the cluster at `url`, paying with `payer`.
    pub fn new(url: &str, payer: Keypair) -> RpcChain {
        RpcChain {
            client: RpcClient::new(url.to_string()),
            payer,
        }
    }
}

fn transport(e: impl fmt::Display) -> ChainError {
    ChainError::Transport(e.to_string())
}

fn rpc_error(e: solana_client::client_error::ClientError) -> ChainError {
    match e.get_transaction_error() {
        Some(t) => ChainError::Transaction(t),
        None => transport(e),
    }
}

impl Chain for RpcChain {
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self
            .accounts(std::slice::from_ref(key))
            .await?
            .pop()
            .flatten())
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .map_err(rpc_error)?,
            );
        }
        Ok(out)
    }

    async fn program_accounts(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(
                filters
                    .iter()
                    .map(|f| {
                        RpcFilterType::Memcmp(Memcmp::new_raw_bytes(f.offset, f.bytes.clone()))
                    })
                    .collect(),
            ),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_client::rpc_config::UiAccountEncoding::Base64),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        // the typed variant (deprecated in favour of UI accounts, still served) decodes base64 for us
        self.client
            .get_program_accounts_with_config(&keel::ID, config)
            .await
            .map_err(rpc_error)
    }

    async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Signature, ChainError> {
        let tx = self.signed(ixs, signers, compute_units).await?;
        self.client
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(rpc_error)
    }

    async fn simulate(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Simulation, ChainError> {
        let tx = self.signed(ixs, signers, compute_units).await?;
        let sim = self
            .client
            .simulate_transaction(&tx)
            .await
            .map_err(rpc_error)?
            .value;
        if let Some(err) = sim.err {
            return Err(ChainError::Transaction(err.into()));
        }
        Ok(Simulation {
            compute_units: sim.units_consumed.unwrap_or(0),
            logs: sim.logs.unwrap_or_default(),
            return_data: sim.return_data.and_then(|r| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(r.data.0)
                    .ok()
            }),
        })
    }

    async fn clock(&self) -> Result<Clock, ChainError> {
        let account = self
            .account(&solana_sdk::sysvar::clock::ID)
            .await?
            .ok_or_else(|| transport("no clock sysvar"))?;
        bincode::deserialize(&account.data).map_err(transport)
    }

    fn payer(&self) -> &Keypair {
        &self.payer
    }
}

/// In-process backend over a `BanksClient`.
pub struct BanksChain {
    client: BanksClient,
    payer: Keypair,
    seen: AccountIndex,
    logs: Option<LogSink>,
    built: std::sync::atomic::AtomicU64,
}

/// Where an in-process backend appends the program logs of every transaction it lands (the
/// simulator reads the program's events from them).
pub type LogSink = std::sync::Arc<Mutex<Vec<String>>>;

/// Concurrent reads per batch when the in-process backend reads many accounts.
const READ_BATCH: usize = 128;

/// The accounts an in-process bank's clients know of, shared by every backend on that bank (as
/// every RPC client of a cluster sees the same node).
pub type AccountIndex = std::sync::Arc<Mutex<BTreeSet<Pubkey>>>;

/// Transactions built by any in-process backend of this process (see `BanksChain::transaction`).
static SENT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl BanksChain {
    /// A backend on `client`, paying with `payer`, with an index of its own.
    pub fn new(client: BanksClient, payer: Keypair) -> BanksChain {
        BanksChain::with_index(client, payer, AccountIndex::default())
    }

    /// A backend sharing `index` with the other backends on the same bank.
    pub fn with_index(client: BanksClient, payer: Keypair, index: AccountIndex) -> BanksChain {
        BanksChain {
            client,
            payer,
            seen: index,
            logs: None,
            built: Default::default(),
        }
    }

    /// Append the logs of every transaction this backend lands to `sink`.
    pub fn with_log_sink(mut self, sink: LogSink) -> BanksChain {
        self.logs = Some(sink);
        self
    }

    /// Transactions this backend has built (sent or simulated).
    pub fn transactions(&self) -> u64 {
        self.built.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Make `keys` visible to `program_accounts` (accounts created by other clients).
    pub fn track(&self, keys: impl IntoIterator<Item = Pubkey>) {
        self.seen.lock().unwrap().extend(keys);
    }

    async fn transaction(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Transaction, ChainError> {
        let blockhash = self
            .client
            .get_latest_blockhash()
            .await
            .map_err(transport)?;
        // The in-process bank's blockhash only moves when the test moves it: two identical
        // transactions (a retried command) would share a signature and the second be refused
        // as a duplicate, so each compute limit is lowered by a process-wide counter.
        let n = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10_000;
        self.built
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let all = with_budget(ixs, compute_units.saturating_sub(n));
        let keys = signer_list(&self.payer, signers);
        self.track(
            ixs.iter()
                .flat_map(|ix| ix.accounts.iter().map(|m| m.pubkey)),
        );
        Ok(Transaction::new_signed_with_payer(
            &all,
            Some(&self.payer.pubkey()),
            &keys,
            blockhash,
        ))
    }
}

impl Chain for BanksChain {
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.client.get_account(*key).await.map_err(transport)
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        // the bank serves requests concurrently: read in batches, keeping the order
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(READ_BATCH) {
            let reads = chunk.iter().map(|k| self.account(k));
            for read in futures_util::future::join_all(reads).await {
                out.push(read?);
            }
        }
        Ok(out)
    }

    async fn program_accounts(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let keys: Vec<Pubkey> = self.seen.lock().unwrap().iter().copied().collect();
        let accounts = self.accounts(&keys).await?;
        Ok(keys
            .into_iter()
            .zip(accounts)
            .filter_map(|(k, a)| a.map(|a| (k, a)))
            .filter(|(_, a)| a.owner == keel::ID && filters.iter().all(|f| f.matches(&a.data)))
            .collect())
    }

    async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Signature, ChainError> {
        let tx = self.transaction(ixs, signers, compute_units).await?;
        let signature = tx.signatures[0];
        let result = self
            .client
            .process_transaction_with_metadata(tx)
            .await
            .map_err(transport)?;
        result.result.map_err(ChainError::Transaction)?;
        if let (Some(sink), Some(meta)) = (&self.logs, result.metadata) {
            sink.lock().unwrap().extend(meta.log_messages);
        }
        Ok(signature)
    }

    async fn simulate(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Simulation, ChainError> {
        let tx = self.transaction(ixs, signers, compute_units).await?;
        let sim = self
            .client
            .simulate_transaction(tx)
            .await
            .map_err(transport)?;
        if let Some(Err(e)) = sim.result {
            return Err(ChainError::Transaction(e));
        }
        let details = sim
            .simulation_details
            .ok_or_else(|| transport("simulation returned no details"))?;
        Ok(Simulation {
            compute_units: details.units_consumed,
            logs: details.logs,
            return_data: details.return_data.map(|r| r.data),
        })
    }

    async fn clock(&self) -> Result<Clock, ChainError> {
        self.client.get_sysvar::<Clock>().await.map_err(transport)
    }

    fn payer(&self) -> &Keypair {
        &self.payer
    }
}
