//! `TestEnv`: a running bank with the Keel program loaded, and transaction helpers.
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use keel_sdk::chain::signer_list;
use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_test::processor;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::rent::Rent;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError, VersionedTransaction};
use std::path::PathBuf;

/// Static account keys a transaction can carry and still fit a 1,232-byte packet.
pub const MAX_STATIC_ACCOUNTS_PER_PACKET: usize = 38;

/// Native entry shim: Anchor's `entry` wants one lifetime for its three arguments, the runtime's
/// builtin signature has three; the runtime keeps all of them alive for the whole call.
fn keel_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    // SAFETY: only the lifetime parameters change; the data outlives this call.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    keel::entry(program_id, accounts, data)
}

/// The SBF build of the program, when one has been built that this runtime can load.
///
/// solana-program-test 3.1 (solana-sbpf 0.13) cannot load the SBPF v3 ELF that
/// `scripts/build-sbf` writes ("invalid file header"), so such a file is ignored (one note on
/// stderr per process) and the suite runs natively; `anchor build`'s v0 ELF is used.
pub fn sbf_binary() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy/keel.so");
    if !path.exists() {
        return None;
    }
    // The SBPF version is the ELF64 header's e_flags: a little-endian u32 at offset 48
    // (0 = v0 ... 3 = v3, as solana-sbpf's `Executable::load` reads it).
    let mut header = [0u8; 52];
    let e_flags = std::fs::File::open(&path)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header))
        .ok()
        .filter(|_| header.starts_with(b"\x7fELF"))
        .map(|_| u32::from_le_bytes([header[48], header[49], header[50], header[51]]));
    match e_flags {
        Some(version) if version >= 3 => {
            static NOTE: std::sync::Once = std::sync::Once::new();
            NOTE.call_once(|| {
                eprintln!(
                    "note: {} is SBPF v{version}, which solana-program-test 3.1 cannot load; running natively",
                    path.display()
                )
            });
            None
        }
        _ => Some(path),
    }
}

pub use crate::bank::TxOutcome;
use crate::bank::{KeelProgram, Ledger};
use std::sync::Arc;

/// A running bank with Keel loaded.
pub struct TestEnv {
    /// The bank, shared with the SDK chains on it (`World::chain`).
    pub ledger: Arc<Ledger>,
    /// True when the SBF binary is loaded.
    pub sbf: bool,
}

impl TestEnv {
    /// Start a bank with Keel (SBF when built, else native) and the SPL token programs.
    pub async fn start() -> TestEnv {
        let (program, sbf) = match sbf_binary() {
            Some(path) => (
                KeelProgram::Sbf(std::fs::read(path).expect("read keel.so")),
                true,
            ),
            None => {
                let entry: Option<BuiltinFunctionWithContext> = processor!(keel_entry);
                (KeelProgram::Native(entry.expect("native entry")), false)
            }
        };
        let ledger = Arc::new(Ledger::start(program).await);
        if !sbf {
            crate::native_logs::install();
        }
        TestEnv { ledger, sbf }
    }

    /// The fee payer.
    pub fn payer(&self) -> Keypair {
        self.ledger.mint().insecure_clone()
    }

    /// Send `ixs` signed by the payer and `signers`. Every transaction is made unique (its compute
    /// limit carries a counter) so the same instructions can be sent twice on one blockhash.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, TransactionError> {
        let tx = self.transaction(ixs, signers).await;
        self.ledger.process(tx)
    }

    /// [`TestEnv::send`] with `payer` paying the fee (and signing first) instead of the genesis
    /// mint: one signature fewer when `payer` signs anyway.
    pub async fn send_paid_by(
        &mut self,
        payer: &Keypair,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, TransactionError> {
        let tx = self.transaction_paid_by(payer, ixs, signers).await;
        self.ledger.process(tx)
    }

    /// A legacy transaction of exactly `ixs` (no compute-budget prefix), on the latest blockhash.
    pub async fn raw_transaction(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Transaction {
        let blockhash = self.latest_blockhash().await;
        let payer = self.payer();
        let keys = signer_list(&payer, signers);
        Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &keys, blockhash)
    }

    async fn latest_blockhash(&mut self) -> solana_sdk::hash::Hash {
        self.ledger.blockhash()
    }

    /// Process an already built transaction.
    pub async fn process(&mut self, tx: Transaction) -> Result<(), TransactionError> {
        self.ledger.process(tx).map(|_| ())
    }

    /// Simulate `ixs` (nothing is committed); the way to read an instruction's return data.
    pub async fn simulate(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, TransactionError> {
        let tx = self.transaction(ixs, signers).await;
        self.ledger.simulate(tx)
    }

    /// A signed transaction on the latest blockhash (the bank moves on; a start-up blockhash
    /// expires). A legacy transaction when its accounts fit a packet (38 static keys), otherwise a
    /// v0 transaction whose non-signer, non-program accounts come from a lookup table written
    /// into the bank, as a client must do for a margin account with many positions.
    pub async fn transaction(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> VersionedTransaction {
        let payer = self.payer();
        self.transaction_paid_by(&payer, ixs, signers).await
    }

    /// [`TestEnv::transaction`] with `payer` as the fee payer.
    pub async fn transaction_paid_by(
        &mut self,
        payer: &Keypair,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> VersionedTransaction {
        let blockhash = self.latest_blockhash().await;
        let mut all = vec![ComputeBudgetInstruction::set_compute_unit_limit(
            1_400_000 - self.ledger.next_nonce(),
        )];
        all.extend_from_slice(ixs);
        let keys = signer_list(payer, signers);
        let legacy =
            Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
        if legacy.message.account_keys.len() <= MAX_STATIC_ACCOUNTS_PER_PACKET {
            return legacy.into();
        }
        let table = self.lookup_table(&all, &keys);
        let message = v0::Message::try_compile(&payer.pubkey(), &all, &[table], blockhash)
            .expect("compile v0 message");
        VersionedTransaction::try_new(VersionedMessage::V0(message), &keys).expect("sign v0")
    }

    /// Write a lookup table holding every account of `ixs` that is neither a signer nor a program.
    fn lookup_table(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> AddressLookupTableAccount {
        let signer_keys: Vec<Pubkey> = signers.iter().map(|k| k.pubkey()).collect();
        self.write_lookup_table(keel_sdk::lookup::table_addresses(ixs, &signer_keys))
    }

    /// Write an active lookup table holding `addresses` straight into the bank (the embedded
    /// bank's slot does not move, so a table created by instructions would never activate; a
    /// cluster's is made with `keel_sdk::lookup::create_table_ixs`).
    pub fn write_lookup_table(&mut self, addresses: Vec<Pubkey>) -> AddressLookupTableAccount {
        let table = AddressLookupTable {
            meta: LookupTableMeta {
                authority: Some(self.ledger.mint().pubkey()),
                ..LookupTableMeta::default()
            },
            addresses: addresses.clone().into(),
        };
        let data = table.serialize_for_tests().expect("serialize lookup table");
        let key = Pubkey::new_unique();
        let account = Account {
            lamports: 1_000_000_000,
            data,
            owner: solana_address_lookup_table_interface::program::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.ledger.set_account(&key, &account.into());
        AddressLookupTableAccount { key, addresses }
    }

    /// Raw account, if it exists.
    pub async fn account(&mut self, key: Pubkey) -> Option<Account> {
        self.ledger.account(&key)
    }

    /// Snapshot of several accounts (lamports, owner and data), to prove a refusal changed nothing.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.account(*k).await);
        }
        out
    }

    /// Current clock.
    pub async fn clock(&mut self) -> Clock {
        self.ledger.bank().clock()
    }

    /// Current unix time.
    pub async fn now(&mut self) -> i64 {
        self.clock().await.unix_timestamp
    }

    /// Set the clock's unix time (a reproducible run starts every bank at the same moment).
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        clock.epoch_start_timestamp = unix_timestamp;
        self.ledger.set_sysvar(&clock);
    }

    /// Write an account as a faucet or a fixture would.
    pub fn set_account(&mut self, key: &Pubkey, account: &AccountSharedData) {
        self.ledger.set_account(key, account);
    }

    /// The rent the bank charges.
    pub fn rent(&self) -> Rent {
        self.ledger.bank().rent_collector().rent.clone()
    }

    /// Record a new blockhash (a durable nonce advances only past one).
    pub fn advance_blockhash(&mut self) {
        self.ledger.advance_blockhash();
    }

    /// A BanksClient on this bank, for the SDK's `BanksChain`.
    pub async fn banks_client(&self) -> solana_program_test::BanksClient {
        self.ledger.banks_client().await
    }

    /// Move the clock forward by `seconds` (and the slot by one).
    pub async fn warp(&mut self, seconds: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp += seconds;
        clock.slot += 1;
        self.ledger.set_sysvar(&clock);
        // time passing is blocks passing: a new blockhash, as a cluster's would be
        self.ledger.advance_blockhash();
    }
}

/// The custom error code of a failed transaction, if it failed with one.
pub use keel_sdk::chain::custom_code as custom_error;

/// Assert that `result` failed with the Keel error `expected`.
pub fn assert_keel_error<T: std::fmt::Debug>(
    result: Result<T, TransactionError>,
    expected: keel::errors::KeelError,
) {
    let code: u32 = expected.into();
    match result {
        Ok(v) => panic!("expected {expected:?} ({code}), transaction succeeded: {v:?}"),
        Err(e) => assert_eq!(
            custom_error(&e),
            Some(code),
            "expected {expected:?} ({code}), got {e:?}"
        ),
    }
}

/// Anchor framework error codes the tests expect (constraint failures and the like).
pub fn assert_anchor_error<T: std::fmt::Debug>(
    result: Result<T, TransactionError>,
    expected: anchor_lang::error::ErrorCode,
) {
    let code: u32 = expected.into();
    match result {
        Ok(v) => panic!("expected {expected:?} ({code}), transaction succeeded: {v:?}"),
        Err(e) => assert_eq!(
            custom_error(&e),
            Some(code),
            "expected {expected:?} ({code}), got {e:?}"
        ),
    }
}
