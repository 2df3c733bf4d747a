//! Program events under the native build. On SBF, `sol_log_data` (Anchor's `emit!`) writes a
//! `Program data: <base64>` line into the transaction's logs. The native build goes through
//! `solana_sysvar::program_stubs`, whose `sol_log_data` program-test leaves at the default
//! (printing to stdout), so events would be lost. This wraps program-test's stubs and sends
//! `sol_log_data` to the transaction's log collector instead, through program-test's own
//! `sol_log`, where it reads `Program log: Program data: <base64>`; [`event_data`] accepts both
//! forms. Every other call goes to program-test unchanged.
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use base64::Engine;
use solana_sdk::instruction::Instruction;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use std::sync::Once;

/// How a native-build event line starts, after program-test's `Program log: ` prefix.
const NATIVE_PREFIX: &str = "Program log: Program data: ";
/// How an SBF event line starts.
const SBF_PREFIX: &str = "Program data: ";

/// The base64 payload of an event log line, in either form.
pub fn event_data(line: &str) -> Option<&str> {
    line.strip_prefix(SBF_PREFIX)
        .or_else(|| line.strip_prefix(NATIVE_PREFIX))
}

struct EventStubs {
    inner: Box<dyn SyscallStubs>,
}

/// Install the wrapper over program-test's stubs (once per process, after a bank started).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let placeholder: Box<dyn SyscallStubs> = Box::new(Placeholder);
        let inner = set_syscall_stubs(placeholder);
        set_syscall_stubs(Box::new(EventStubs { inner }));
    });
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

impl SyscallStubs for EventStubs {
    fn sol_log_data(&self, fields: &[&[u8]]) {
        let engine = base64::engine::general_purpose::STANDARD;
        let encoded: Vec<String> = fields.iter().map(|f| engine.encode(f)).collect();
        self.inner
            .sol_log(&format!("{SBF_PREFIX}{}", encoded.join(" ")));
    }
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        self.inner
            .sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(id, var, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var)
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var)
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var)
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.inner.sol_memcpy(dst, src, n) }
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.inner.sol_memmove(dst, src, n) }
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.inner.sol_memcmp(s1, s2, n, result) }
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        // SAFETY: the caller's contract, passed on unchanged.
        unsafe { self.inner.sol_memset(s, c, n) }
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}
