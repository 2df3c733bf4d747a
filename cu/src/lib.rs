//! Keel's compute-unit suite: `target/deploy/keel.so` (the upstream-LLVM SBPF v3 build of
//! `scripts/build-sbf`) run on an Agave 4.x runtime (Mollusk), next to the real SPL Token and
//! Token-2022 ELFs, with Pyth `PriceUpdateV2` accounts written directly as the native harness does.
//!
//! Mollusk executes one instruction at a time against an account store (`MolluskContext`): each
//! instruction's compute units are exact for that instruction, CPIs included. Mollusk enables every
//! runtime feature; CPI costs on a live cluster may differ a little, the per-position costs (all
//! inside the program) do not.
pub mod fixture;

/// Budget of `liquidate` at 16 positions, CU: 150,000 (fits the default 200,000 an instruction
/// gets) until issue 31's profiling took it from 118,621 to 82,364 (goal 100,000).
pub const LIQUIDATE_16: u64 = 100_000;

/// Budget of `liquidate` at 16 positions when every market also has a Switchboard second source,
/// CU (issue 31: 131,487 before its profiling, 92,075 after; goal 110,000).
pub const LIQUIDATE_16_TWO_SOURCES: u64 = 110_000;

/// The compute units of a run that must succeed; panics with what failed.
pub fn ok(what: &str, r: Result<u64, String>) -> u64 {
    r.unwrap_or_else(|e| panic!("{what} failed on SBF: {e}"))
}

use mollusk_svm::{Mollusk, MolluskContext};
use solana_account::Account;
use solana_pubkey::Pubkey;
use std::collections::HashMap;
use std::path::PathBuf;

/// The main workspace's key type (Anchor's).
pub type Key = anchor_lang::prelude::Pubkey;
/// The main workspace's instruction type (Anchor's).
pub type Ix = anchor_lang::solana_program::instruction::Instruction;

/// A key of the main workspace as Mollusk's.
pub fn pk(k: &Key) -> Pubkey {
    Pubkey::new_from_array(k.to_bytes())
}

/// Where the SBF program is: `KEEL_SO`, else the workspace's `target/deploy/keel.so`.
pub fn keel_so_path() -> PathBuf {
    std::env::var_os("KEEL_SO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/keel.so")
        })
}

/// The SBF program's bytes; panics with the command that builds it when it is missing.
pub fn keel_so() -> Vec<u8> {
    let path = keel_so_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Build it first with scripts/build-sbf (the compute-unit suite measures the SBF binary, never the native build)",
            path.display()
        )
    })
}

/// An SVM with keel.so, SPL Token and Token-2022 loaded, and an account store.
pub struct Sbf {
    /// The runtime and its account store.
    pub ctx: MolluskContext<HashMap<Pubkey, Account>>,
    logs: std::rc::Rc<std::cell::RefCell<solana_svm_log_collector::LogCollector>>,
}

impl Sbf {
    /// A runtime at unix time `now` with `elf` as the Keel program.
    pub fn new(elf: &[u8], now: i64) -> Sbf {
        let mut mollusk = Mollusk::default();
        // Mollusk sets the runtime's DEBUG logging on (every transaction's program log on
        // stderr); back to errors unless RUST_LOG asks for more
        solana_logger::setup_with_default("error");
        mollusk.add_program_with_loader_and_elf(
            &pk(&keel::ID),
            &mollusk_svm::program::loader_keys::LOADER_V3,
            elf,
        );
        mollusk_svm_programs_token::token::add_program(&mut mollusk);
        mollusk_svm_programs_token::token2022::add_program(&mut mollusk);
        mollusk.sysvars.clock.unix_timestamp = now;
        let logs = solana_svm_log_collector::LogCollector::new_ref();
        mollusk.logger = Some(logs.clone());
        Sbf {
            ctx: mollusk.with_context(HashMap::new()),
            logs,
        }
    }

    /// The program logs collected since the last call.
    pub fn take_logs(&self) -> Vec<String> {
        std::mem::take(&mut self.logs.borrow_mut().messages)
    }

    /// The clock's unix time.
    pub fn now(&self) -> i64 {
        self.ctx.mollusk.sysvars.clock.unix_timestamp
    }

    /// Move the clock on by `secs`.
    pub fn warp(&mut self, secs: i64) {
        self.ctx.mollusk.sysvars.clock.unix_timestamp += secs;
        self.ctx.mollusk.sysvars.clock.slot += (secs as u64).max(1) * 2;
    }

    /// Write an account.
    pub fn set(&self, key: &Key, account: Account) {
        self.ctx.account_store.borrow_mut().insert(pk(key), account);
    }

    /// Read an account.
    pub fn get(&self, key: &Key) -> Option<Account> {
        self.ctx.account_store.borrow().get(&pk(key)).cloned()
    }

    /// Give `key` lamports as a system account.
    pub fn fund(&self, key: &Key, lamports: u64) {
        self.set(
            key,
            Account {
                lamports,
                data: vec![],
                owner: Pubkey::default(),
                executable: false,
                rent_epoch: 0,
            },
        );
    }

    /// Run `ixs` as one transaction (one instructions sysvar for all of them, as flash loans
    /// need); their total compute units, or why it failed.
    pub fn run_transaction(&self, ixs: &[Ix]) -> Result<u64, String> {
        let ixs: Vec<_> = ixs.iter().map(convert).collect();
        let result = self.ctx.process_transaction_instructions(&ixs, None);
        match result.raw_result {
            Ok(()) => Ok(result.compute_units_consumed),
            Err(e) => Err(format!("{e:?} after {} CU", result.compute_units_consumed)),
        }
    }

    /// Run one instruction; its compute units, or why it failed.
    pub fn run(&self, ix: &Ix) -> Result<u64, String> {
        let ix = convert(ix);
        let result = self.ctx.process_instruction(&ix);
        match result.raw_result {
            Ok(()) => Ok(result.compute_units_consumed),
            Err(e) => Err(format!("{e:?} after {} CU", result.compute_units_consumed)),
        }
    }
}

/// An instruction of the main workspace as Mollusk's.
fn convert(ix: &Ix) -> solana_instruction::Instruction {
    {
        solana_instruction::Instruction {
            program_id: pk(&ix.program_id),
            accounts: ix
                .accounts
                .iter()
                .map(|m| solana_instruction::AccountMeta {
                    pubkey: pk(&m.pubkey),
                    is_signer: m.is_signer,
                    is_writable: m.is_writable,
                })
                .collect(),
            data: ix.data.clone(),
        }
    }
}
