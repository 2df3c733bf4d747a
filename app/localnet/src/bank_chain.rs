//! `BankChain`: the SDK's `Chain` on an embedded [`Ledger`], by direct calls on the bank (no
//! BanksServer in between). The simulator's bots, keeper and CLI run on it.
//!
//! `program_accounts` answers as an RPC node with a program index does: from the ledger's index
//! of Keel-owned accounts (`Ledger::keel_accounts_where`), with the same filters. (The SDK's
//! `BanksChain` cannot ask a BanksServer for that, so it reads every account its clients have
//! touched; on the default simulation that was a quarter of the run time.)
use crate::bank::Ledger;
use anchor_lang::prelude::Pubkey;
use keel_sdk::chain::{
    signed_transaction, unsigned_transaction, Chain, ChainError, Filter, LogSink, Simulation,
};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::VersionedTransaction;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A client of an embedded ledger, paying with its own key.
pub struct BankChain {
    ledger: Arc<Ledger>,
    payer: Keypair,
    logs: Option<LogSink>,
    built: AtomicU64,
    tables: keel_sdk::lookup::TableSet,
}

impl BankChain {
    /// A client of `ledger` paying with `payer`.
    pub fn new(ledger: Arc<Ledger>, payer: Keypair) -> BankChain {
        BankChain {
            ledger,
            payer,
            logs: None,
            built: AtomicU64::new(0),
            tables: Default::default(),
        }
    }

    /// Append the logs of every transaction this client lands to `sink`.
    pub fn with_log_sink(mut self, sink: LogSink) -> BankChain {
        self.logs = Some(sink);
        self
    }

    /// Transactions this client has built (sent or simulated).
    pub fn transactions(&self) -> u64 {
        self.built.load(Ordering::Relaxed)
    }

    /// `ixs` behind a compute limit lowered by the ledger's nonce (two sends of the same
    /// instructions on one blockhash stay two transactions), on the current blockhash; signed
    /// when `sign`, else with empty signatures (a simulation: the bank does not verify them, as
    /// an RPC node does not when asked `sigVerify: false`).
    fn transaction(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
        sign: bool,
    ) -> Result<VersionedTransaction, ChainError> {
        self.built.fetch_add(1, Ordering::Relaxed);
        let compute_units = compute_units.saturating_sub(self.ledger.next_nonce());
        let (blockhash, tables) = (self.ledger.blockhash(), self.tables.read());
        if sign {
            signed_transaction(&self.payer, signers, ixs, compute_units, blockhash, &tables)
        } else {
            unsigned_transaction(&self.payer.pubkey(), ixs, compute_units, blockhash, &tables)
        }
    }
}

impl Chain for BankChain {
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self.ledger.account(key))
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        Ok(keys.iter().map(|k| self.ledger.account(k)).collect())
    }

    async fn program_accounts(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        Ok(self
            .ledger
            .keel_accounts_where(|data| filters.iter().all(|f| f.matches(data))))
    }

    async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Signature, ChainError> {
        let tx = self.transaction(ixs, signers, compute_units, true)?;
        let signature = tx.signatures[0];
        let outcome = self.ledger.process(tx).map_err(ChainError::Transaction)?;
        if let Some(sink) = &self.logs {
            sink.lock().unwrap().extend(outcome.logs);
        }
        Ok(signature)
    }

    async fn simulate(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Simulation, ChainError> {
        let tx = self.transaction(ixs, signers, compute_units, false)?;
        let outcome = self.ledger.simulate(tx).map_err(ChainError::Transaction)?;
        Ok(Simulation {
            compute_units: outcome.compute_units,
            logs: outcome.logs,
            return_data: outcome.return_data,
        })
    }

    async fn clock(&self) -> Result<Clock, ChainError> {
        Ok(self.ledger.bank().clock())
    }

    fn payer(&self) -> &Keypair {
        &self.payer
    }

    fn set_lookup_tables(&self, tables: Vec<solana_sdk::message::AddressLookupTableAccount>) {
        self.tables.set(tables);
    }
}
