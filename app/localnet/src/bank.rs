//! `Ledger`: the embedded chain's bank, driven directly.
//!
//! The bank is the one solana-program-test builds (the same genesis: every feature active, fees
//! of 5,000 lamports a signature, default rent, the SPL Token / Token-2022 / ATA and core BPF
//! programs), with Keel added as SBF or as a native builtin. What differs is the road to it:
//! program-test puts a BanksServer in front of the bank and every call (a transaction, a
//! blockhash, an account read) is a tarpc request through an in-memory channel, a task switch
//! and a copy each way. Profiled on the default `keel simulate`, those round trips took most of
//! the time (memmove, futex wake-ups, task polls, tarpc's dispatch) and the program itself under
//! 1%. Here a transaction is `Bank::process_transaction_with_metadata` and a read is
//! `Bank::get_account`, the calls the BanksServer makes on the caller's behalf. A BanksClient on
//! the same bank starts on first request, for the SDK's `BanksChain` and its tests.
//!
//! The blockhash moves only when asked (`advance_blockhash`): a run is the same whatever the
//! wall clock does (program-test registers a new one every 6.4 ms of real time).
use crate::program_index::ProgramIndex;
use anchor_lang::prelude::Pubkey;
use solana_accounts_db::accounts_db::ACCOUNTS_DB_CONFIG_FOR_TESTING;
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_banks_client::BanksClient;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_runtime::loaded_programs::ProgramCacheEntry;
use solana_runtime::bank::Bank;
use solana_runtime::bank_forks::BankForks;
use solana_runtime::commitment::BlockCommitmentCache;
use solana_runtime::runtime_config::RuntimeConfig;
use solana_runtime_transaction::runtime_transaction::RuntimeTransaction;
use solana_sdk::account::{Account, AccountSharedData, ReadableAccount};
use solana_sdk::hash::Hash;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{TransactionError, VersionedTransaction};
use solana_transaction::sanitized::MessageHash;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A native program's builtin entry (`solana_program_test::processor!`).
macro_rules! native_program {
    ($entry:path) => {{
        let entry: Option<BuiltinFunctionWithContext> = solana_program_test::processor!($entry);
        entry.expect("native entry")
    }};
}

/// Lamports of the genesis mint (the payer), as program-test gives it.
const MINT_LAMPORTS: u64 = 1_000_000 * 1_000_000_000;

/// Transactions a blockhash serves before the ledger moves to a new one (`next_nonce`).
const NONCES: u32 = 1_000;

/// What a landed or simulated transaction reports.
#[derive(Debug)]
pub struct TxOutcome {
    /// Compute units consumed (meaningful on the SBF build only).
    pub compute_units: u64,
    /// Program logs.
    pub logs: Vec<String>,
    /// Return data of the last instruction that set some.
    pub return_data: Option<Vec<u8>>,
    /// The program that set it.
    pub return_program: Option<Pubkey>,
}

/// A committed transaction, successful or not (a failed one still pays its fee and has logs).
#[derive(Debug)]
pub struct Committed {
    /// Whether it succeeded.
    pub status: Result<(), TransactionError>,
    /// Its units, logs and return data.
    pub outcome: TxOutcome,
    /// The fee it paid, lamports.
    pub fee: u64,
}

/// What a simulation did: its result, and its logs and units whether it failed or not.
#[derive(Debug)]
pub struct Simulated {
    /// Whether it would succeed.
    pub status: Result<(), TransactionError>,
    /// Its units, logs and return data.
    pub outcome: TxOutcome,
}

/// How Keel is loaded.
pub enum KeelProgram {
    /// An SBF ELF, owned by the BPF loader.
    Sbf(Vec<u8>),
    /// The host build, as a builtin (`solana_program_test::processor!`).
    Native(BuiltinFunctionWithContext),
}

/// The bank and what reaches it.
pub struct Ledger {
    forks: Arc<RwLock<BankForks>>,
    commitment: Arc<RwLock<BlockCommitmentCache>>,
    mint: Keypair,
    banks: tokio::sync::OnceCell<BanksClient>,
    sent: AtomicU32,
    keel: ProgramIndex,
}

impl Ledger {
    /// A bank at slot 1 with the SPL programs and Keel; `mint` pays for everything.
    pub async fn start(keel: KeelProgram) -> Ledger {
        if matches!(keel, KeelProgram::Native(_)) {
            install_native_stubs().await;
        }
        let mint = Keypair::new();
        let genesis = genesis(&mint);
        let bank = Bank::new_from_genesis(
            &genesis,
            Arc::new(RuntimeConfig::default()),
            Vec::default(),
            None,
            ACCOUNTS_DB_CONFIG_FOR_TESTING,
            None,
            None,
            Arc::default(),
            None,
            None,
        );
        let rent = genesis.rent.clone();
        for (program_id, account) in solana_program_binaries::spl_programs(&rent) {
            bank.store_account(&program_id, &account);
        }
        let active = |feature: &Pubkey| genesis.accounts.contains_key(feature);
        for (program_id, account) in solana_program_binaries::core_bpf_programs(&rent, active) {
            bank.store_account(&program_id, &account);
        }
        match keel {
            KeelProgram::Native(entry) => bank.add_builtin(
                keel::ID,
                "keel",
                ProgramCacheEntry::new_builtin(0, "keel".len(), entry),
            ),
            KeelProgram::Sbf(elf) => {
                let account = Account {
                    lamports: rent.minimum_balance(elf.len()).max(1),
                    data: elf,
                    owner: solana_sdk::bpf_loader::id(),
                    executable: true,
                    rent_epoch: 0,
                };
                bank.store_account(&keel::ID, &account.into());
            }
        }
        // the test programs beside Keel: a swap desk (a DEX's stand-in) and a CPI relay
        let builtins: [(Pubkey, &str, BuiltinFunctionWithContext); 2] = [
            (
                crate::swap::SWAP_PROGRAM_ID,
                "keel_test_swap",
                native_program!(crate::swap::process),
            ),
            (
                crate::relay::RELAY_PROGRAM_ID,
                "keel_test_relay",
                native_program!(crate::relay::process),
            ),
        ];
        for (id, name, entry) in builtins {
            bank.add_builtin(
                id,
                name,
                ProgramCacheEntry::new_builtin(0, name.len(), entry),
            );
        }
        bank.set_capitalization_for_tests(bank.calculate_capitalization_for_tests());
        let bank = Arc::new(bank);
        bank.fill_bank_with_ticks_for_tests();
        let bank = Bank::new_from_parent(bank.clone(), bank.collector_id(), bank.slot() + 1);
        let slot = bank.slot();
        Ledger {
            forks: BankForks::new_rw_arc(bank),
            commitment: Arc::new(RwLock::new(BlockCommitmentCache::new_for_tests_with_slots(
                slot, slot,
            ))),
            mint,
            banks: tokio::sync::OnceCell::new(),
            sent: AtomicU32::new(0),
            keel: ProgramIndex::default(),
        }
    }

    /// A number in 1..=NONCES that no earlier call on this blockhash returned: a client lowers
    /// its compute limit by it so that the same instructions sent twice on one blockhash are two
    /// transactions, not a duplicate. Every NONCES calls the blockhash moves, so the numbers
    /// start again on a new one (and a limit loses at most NONCES units).
    pub fn next_nonce(&self) -> u32 {
        let n = self.sent.fetch_add(1, Ordering::Relaxed) % NONCES;
        if n == NONCES - 1 {
            self.advance_blockhash();
        }
        n + 1
    }

    /// The working bank (in this crate only: a write to it must go through the ledger, which
    /// keeps the program index).
    pub(crate) fn bank(&self) -> Arc<Bank> {
        self.forks.read().unwrap().working_bank()
    }

    /// The genesis mint: the fee payer with SOL for everything.
    pub fn mint(&self) -> &Keypair {
        &self.mint
    }

    /// Land `tx`: its outcome, or why it failed (a failed transaction changes nothing but the
    /// fee payer's balance, as on a cluster).
    pub fn process(
        &self,
        tx: impl Into<VersionedTransaction>,
    ) -> Result<TxOutcome, TransactionError> {
        let committed = self.commit(tx)?;
        committed.status?;
        Ok(committed.outcome)
    }

    /// Land `tx` as a cluster does: an error only when it cannot be committed at all (a bad
    /// signature, an unknown blockhash, a payer without the fee); a transaction that fails in a
    /// program is committed (its fee paid) and reported with its logs.
    pub fn commit(
        &self,
        tx: impl Into<VersionedTransaction>,
    ) -> Result<Committed, TransactionError> {
        let tx: VersionedTransaction = tx.into();
        let bank = self.bank();
        let written = writable_keys(&bank, &tx);
        let committed = bank.process_transaction_with_metadata(tx)?;
        self.keel.note(&bank, written);
        Ok(Committed {
            status: committed.status,
            fee: committed.fee_details.total_fee(),
            outcome: TxOutcome {
                compute_units: committed.executed_units,
                logs: committed.log_messages.unwrap_or_default(),
                return_program: committed.return_data.as_ref().map(|r| r.program_id),
                return_data: committed.return_data.map(|r| r.data),
            },
        })
    }

    /// Run `tx` without committing it (as a BanksServer simulates: CPI recording on).
    pub fn simulate(&self, tx: VersionedTransaction) -> Result<TxOutcome, TransactionError> {
        let simulated = self.simulate_detailed(tx)?;
        simulated.status?;
        Ok(simulated.outcome)
    }

    /// Run `tx` without committing it: its result and, failed or not, its logs and units (an
    /// error only when it cannot be run at all).
    pub fn simulate_detailed(
        &self,
        tx: VersionedTransaction,
    ) -> Result<Simulated, TransactionError> {
        let bank = self.bank();
        let sanitized = RuntimeTransaction::try_create(
            tx,
            MessageHash::Compute,
            Some(false),
            bank.as_ref(),
            bank.get_reserved_account_keys(),
            bank.feature_set
                .is_active(&agave_feature_set::static_instruction_limit::id()),
        )?;
        let sim = bank.simulate_transaction_unchecked(&sanitized, true);
        Ok(Simulated {
            status: sim.result,
            outcome: TxOutcome {
                compute_units: sim.units_consumed,
                logs: sim.logs,
                return_program: sim.return_data.as_ref().map(|r| r.program_id),
                return_data: sim.return_data.map(|r| r.data),
            },
        })
    }

    /// An account, if it exists.
    pub fn account(&self, key: &Pubkey) -> Option<Account> {
        self.keel.account(&self.bank(), key)
    }

    /// Write an account (a faucet, a price feed, a fixture).
    pub fn set_account(&self, key: &Pubkey, account: &AccountSharedData) {
        let bank = self.bank();
        bank.store_account(key, account);
        self.keel.note(&bank, [*key]);
    }

    /// Every account the Keel program owns, in key order (`program_index`).
    pub fn keel_accounts(&self) -> Vec<(Pubkey, Account)> {
        self.keel.accounts(&self.bank())
    }

    /// The Keel accounts whose data `keep` accepts, in key order (only those are copied).
    pub fn keel_accounts_where(&self, keep: impl Fn(&[u8]) -> bool) -> Vec<(Pubkey, Account)> {
        self.keel.accounts_where(&self.bank(), keep)
    }

    /// Every account the Keel program owns, by the bank's own scan of all its accounts (what
    /// the index must equal; `invariants` checks it).
    pub fn scan_keel_accounts(&self) -> Vec<(Pubkey, Account)> {
        ProgramIndex::scan(&self.bank())
    }

    /// Write a sysvar.
    pub fn set_sysvar<T>(&self, sysvar: &T)
    where
        T: solana_sysvar::SysvarSerialize + solana_sdk::sysvar::SysvarId,
    {
        self.bank().set_sysvar_for_tests(sysvar);
    }

    /// The blockhash transactions are signed on.
    pub fn blockhash(&self) -> Hash {
        self.bank().last_blockhash()
    }

    /// Record a new blockhash (what a durable nonce needs to advance).
    pub fn advance_blockhash(&self) {
        self.bank().register_unique_recent_blockhash_for_test();
    }

    /// A BanksClient on this bank (its server starts on first use). What it lands, the
    /// ledger does not see: from then on, Keel's accounts are read from the bank.
    pub async fn banks_client(&self) -> BanksClient {
        self.keel.bypass();
        self.banks
            .get_or_init(|| async {
                let transport = solana_banks_server::banks_server::start_local_server(
                    self.forks.clone(),
                    self.commitment.clone(),
                    Duration::from_millis(1),
                )
                .await;
                solana_banks_client::start_client(transport)
                    .await
                    .expect("start banks client")
            })
            .await
            .clone()
    }
}

/// The accounts `tx` may write: its writable static keys and the writable entries of the lookup
/// tables it names.
fn writable_keys(bank: &Bank, tx: &VersionedTransaction) -> Vec<Pubkey> {
    let message = &tx.message;
    let mut keys: Vec<Pubkey> = message
        .static_account_keys()
        .iter()
        .enumerate()
        .filter(|(i, _)| message.is_maybe_writable(*i, None))
        .map(|(_, k)| *k)
        .collect();
    for lookup in message.address_table_lookups().unwrap_or_default() {
        let Some(table) = bank.get_account(&lookup.account_key) else {
            continue;
        };
        if let Ok(table) = AddressLookupTable::deserialize(table.data()) {
            keys.extend(
                lookup
                    .writable_indexes
                    .iter()
                    .filter_map(|i| table.addresses.get(*i as usize)),
            );
        }
    }
    keys
}

/// program-test's genesis: all features, a fee of 5,000 lamports a signature, default rent, one
/// bootstrap validator.
fn genesis(mint: &Keypair) -> solana_genesis_config::GenesisConfig {
    let rent = solana_rent::Rent::default();
    let fees = solana_fee_calculator::FeeRateGovernor {
        lamports_per_signature: solana_fee_calculator::DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE / 2,
        ..Default::default()
    };
    let validator_stake = rent
        .minimum_balance(solana_vote_interface::state::VoteStateV4::size_of())
        + 1_000_000 * 1_000_000_000;
    let mut genesis = solana_runtime::genesis_utils::create_genesis_config_with_leader_ex(
        MINT_LAMPORTS,
        &mint.pubkey(),
        &Pubkey::new_unique(),
        &Keypair::new().pubkey(),
        &Pubkey::new_unique(),
        None,
        validator_stake,
        42,
        fees,
        rent,
        solana_cluster_type::ClusterType::Development,
        &agave_feature_set::FeatureSet::all_enabled(),
        vec![],
    );
    genesis.poh_config = solana_poh_config::PohConfig::new_sleep(Duration::from_micros(100));
    genesis
}

/// A native program reaches the runtime (CPIs, logs, sysvars, return data) through
/// program-test's syscall stubs; program-test installs them, once per process, when it sets up a
/// bank, and they are private to it. The first native ledger of a process lets it do so.
async fn install_native_stubs() {
    static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            drop(
                solana_program_test::ProgramTest::default()
                    .start_with_context()
                    .await,
            );
            // program-test turns the runtime's DEBUG logging on whenever RUST_LOG is unset (tens
            // of thousands of lines a run): back to errors only, unless the user asked
            agave_logger::setup_with_default("error");
        })
        .await;
}
