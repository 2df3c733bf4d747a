//! The ledger's index of the Keel program's accounts, with their current data: what an RPC
//! node's `--account-index program-id` gives its `getProgramAccounts`.
//!
//! A Keel account comes into being, changes or closes only where it is written: as a writable
//! account of a landed transaction, or by a hand-written account (a fixture). The ledger hands
//! both to [`ProgramIndex::note`], which re-reads each written account once and keeps it if
//! Keel owns it. So the index holds every Keel account, as the bank has it, and a read of one
//! (every margin account, every step, by every bot of the simulator) is a copy, not an
//! accounts-db lookup. Profiled on the default `keel simulate`, those lookups were 40% of the
//! run.
//!
//! When something else writes to the bank (a BanksServer on it, for the SDK's `BanksChain`),
//! the index is bypassed for good and reads go to the bank.
use anchor_lang::prelude::Pubkey;
use solana_accounts_db::accounts_index::{ScanConfig, ScanOrder};
use solana_runtime::bank::Bank;
use solana_sdk::account::{Account, ReadableAccount};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Keel's accounts by key, as of the last write the ledger saw.
#[derive(Default)]
pub struct ProgramIndex {
    accounts: Mutex<BTreeMap<Pubkey, Account>>,
    bypassed: AtomicBool,
}

impl ProgramIndex {
    /// `written` were (maybe) written on `bank`: keep those Keel owns, drop the others.
    pub fn note(&self, bank: &Bank, written: impl IntoIterator<Item = Pubkey>) {
        if self.bypassed.load(Ordering::Relaxed) {
            return; // answers come from the bank for good
        }
        let mut accounts = self.accounts.lock().unwrap();
        for key in written {
            match bank.get_account(&key) {
                Some(account) if *account.owner() == keel::ID => {
                    accounts.insert(key, account.into());
                }
                _ => {
                    accounts.remove(&key);
                }
            }
        }
    }

    /// Another writer shares the bank from now on: answer from the bank.
    pub fn bypass(&self) {
        self.bypassed.store(true, Ordering::Relaxed);
    }

    /// Every Keel account, in key order.
    pub fn accounts(&self, bank: &Bank) -> Vec<(Pubkey, Account)> {
        self.accounts_where(bank, |_| true)
    }

    /// The Keel accounts whose data `keep` accepts, in key order. The test runs before the copy:
    /// a bot asks for markets, margin accounts and orders apart, and each answer copies only
    /// its own kind (copying every account for each was a tenth of a simulation's time).
    pub fn accounts_where(
        &self,
        bank: &Bank,
        keep: impl Fn(&[u8]) -> bool,
    ) -> Vec<(Pubkey, Account)> {
        if !self.bypassed.load(Ordering::Relaxed) {
            let accounts = self.accounts.lock().unwrap();
            return accounts
                .iter()
                .filter(|(_, a)| keep(&a.data))
                .map(|(k, a)| (*k, a.clone()))
                .collect();
        }
        let mut found = Self::scan(bank);
        found.retain(|(_, a)| keep(&a.data));
        found
    }

    /// Every Keel account by the bank's scan of all its accounts, in key order.
    pub fn scan(bank: &Bank) -> Vec<(Pubkey, Account)> {
        let config = ScanConfig {
            scan_order: ScanOrder::Sorted,
            ..ScanConfig::default()
        };
        let mut found: Vec<(Pubkey, Account)> = bank
            .get_program_accounts(&keel::ID, &config)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, a)| (k, a.into()))
            .collect();
        found.sort_by_key(|(k, _)| *k);
        found
    }

    /// One account: from the index when Keel owns it, else from the bank.
    pub fn account(&self, bank: &Bank, key: &Pubkey) -> Option<Account> {
        if !self.bypassed.load(Ordering::Relaxed) {
            if let Some(account) = self.accounts.lock().unwrap().get(key) {
                return Some(account.clone());
            }
        }
        bank.get_account(key).map(Account::from)
    }
}
