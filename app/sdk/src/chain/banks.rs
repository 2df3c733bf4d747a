//! The in-process backend over a program-test `BanksClient`.
#![allow(deprecated)]
use super::{signed_transaction, transport, Chain, ChainError, Filter, Simulation};
use anchor_lang::prelude::Pubkey;
use solana_banks_client::BanksClient;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::transaction::VersionedTransaction;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// In-process backend over a `BanksClient`.
pub struct BanksChain {
    client: BanksClient,
    payer: Keypair,
    seen: AccountIndex,
    logs: Option<LogSink>,
    built: std::sync::atomic::AtomicU64,
    tables: crate::lookup::TableSet,
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
            tables: Default::default(),
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
    ) -> Result<VersionedTransaction, ChainError> {
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
        self.track(
            ixs.iter()
                .flat_map(|ix| ix.accounts.iter().map(|m| m.pubkey)),
        );
        signed_transaction(
            &self.payer,
            signers,
            ixs,
            compute_units.saturating_sub(n),
            blockhash,
            &self.tables.read(),
        )
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

    fn set_lookup_tables(&self, tables: Vec<solana_sdk::message::AddressLookupTableAccount>) {
        self.tables.set(tables);
    }
}
