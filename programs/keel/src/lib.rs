//! Keel: isolated-pool margin lending with cross-margin accounts, Pyth-priced health and
//! permissionless liquidation. See `../shared/design.md` for the architecture and invariants.
#![allow(clippy::result_large_err)]
// Anchor's macros expand to cfg names this crate does not declare.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod errors;
pub mod events;
pub mod governance;
pub mod instructions;
pub mod math;
pub mod oracle;
pub mod risk;
pub mod state;
pub mod token;

use instructions::*;
use math::liquidation::LiquidationConfig;
use state::{ChangeKind, HealthReport, MarketConfig};

declare_id!("GzuFQvciVuC5yBWJXLfzA1etSDoW7eNV6MF68Dz98bRx");

/// The Keel program.
// The dispatchers `#[program]` generates hold each instruction's accounts struct by value and
// measure just above the 4 KiB threshold in host MIR (every temporary summed); the handlers they
// call are linted on their own, and the SBF build's real frames are what counts (see the notes).
#[allow(clippy::large_stack_frames)]
#[program]
pub mod keel {
    use super::*;

    /// Create an isolated pool with its admin, guardian and timelock delay.
    pub fn init_pool(
        ctx: Context<InitPool>,
        pool_id: u64,
        admin: Pubkey,
        guardian: Pubkey,
        timelock_delay_secs: i64,
        liquidation: LiquidationConfig,
    ) -> Result<()> {
        instructions::init_pool(
            ctx,
            pool_id,
            admin,
            guardian,
            timelock_delay_secs,
            liquidation,
        )
    }

    /// List a token in a pool (admin): creates the market and its PDA vault.
    pub fn add_market(ctx: Context<AddMarket>, config: MarketConfig) -> Result<()> {
        instructions::add_market(ctx, config)
    }

    /// Apply a market configuration that only tightens risk (admin or guardian): at once, except
    /// maintenance weights and oracle limits, which reach health along a one-day ramp.
    pub fn tighten_market(ctx: Context<TightenMarket>, config: MarketConfig) -> Result<()> {
        instructions::tighten_market(ctx, config)
    }

    /// Queue a loosening change behind the pool's timelock (admin).
    pub fn queue_change(ctx: Context<QueueChange>, kind: ChangeKind) -> Result<()> {
        instructions::queue_change(ctx, kind)
    }

    /// Cancel a queued change (admin, or the guardian as a veto).
    pub fn cancel_change(ctx: Context<CancelChange>) -> Result<()> {
        instructions::cancel_change(ctx)
    }

    /// Execute a queued change whose timelock has passed (anyone).
    pub fn execute_change(ctx: Context<ExecuteChange>) -> Result<()> {
        instructions::execute_change(ctx)
    }

    /// Pause borrowing and/or liquidation at once (admin or guardian).
    pub fn pause(ctx: Context<Pause>, borrow: bool, liquidation: bool) -> Result<()> {
        instructions::pause(ctx, borrow, liquidation)
    }

    /// Resume liquidation after its grace period (admin).
    pub fn resume_liquidation(ctx: Context<ResumeLiquidation>) -> Result<()> {
        instructions::resume_liquidation(ctx)
    }

    /// Lengthen the timelock delay at once (admin).
    pub fn raise_timelock(ctx: Context<RaiseTimelock>, delay_secs: i64) -> Result<()> {
        instructions::raise_timelock(ctx, delay_secs)
    }

    /// Propose a new admin or guardian, or withdraw the proposal with `None` (admin).
    pub fn set_pending_authority(
        ctx: Context<SetPendingAuthority>,
        role: Role,
        new: Option<Pubkey>,
    ) -> Result<()> {
        instructions::set_pending_authority(ctx, role, new)
    }

    /// Accept a proposed role (signed by the proposed key).
    pub fn accept_authority(ctx: Context<AcceptAuthority>, role: Role) -> Result<()> {
        instructions::accept_authority(ctx, role)
    }

    /// Open a margin account for the signer.
    pub fn open_account(ctx: Context<OpenAccount>, account_id: u64) -> Result<()> {
        instructions::open_account(ctx, account_id)
    }

    /// Close an empty margin account; rent goes back to the owner.
    pub fn close_account(ctx: Context<CloseAccount>) -> Result<()> {
        instructions::close_account(ctx)
    }

    /// Deposit tokens as collateral and lent supply.
    pub fn deposit(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
        instructions::deposit(ctx, amount)
    }

    /// Withdraw deposited tokens (u64::MAX: all); health-checked when the account has debt.
    pub fn withdraw(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
        instructions::withdraw(ctx, amount)
    }

    /// Borrow tokens against the account's collateral; health-checked.
    pub fn borrow(ctx: Context<OwnerTransfer>, amount: u64) -> Result<()> {
        instructions::borrow(ctx, amount)
    }

    /// Repay debt of any margin account (u64::MAX: all).
    pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
        instructions::repay(ctx, amount)
    }

    /// Accrue a market's interest to now (permissionless).
    pub fn accrue(ctx: Context<Accrue>) -> Result<()> {
        instructions::accrue(ctx)
    }

    /// Liquidate an unhealthy account: repay its debt in one market, seize collateral in another.
    pub fn liquidate(ctx: Context<Liquidate>, max_repay: u64) -> Result<()> {
        instructions::liquidate(ctx, max_repay)
    }

    /// Lend `amount` of a market's tokens until a `flash_repay` later in the same transaction
    /// (top-level only; one flash loan per transaction; fee to the insurance fund).
    pub fn flash_borrow(ctx: Context<FlashBorrow>, amount: u64) -> Result<()> {
        instructions::flash_borrow(ctx, amount)
    }

    /// Repay the market's flash loan: `amount` = what was borrowed plus the fee.
    pub fn flash_repay(ctx: Context<FlashRepay>, amount: u64) -> Result<()> {
        instructions::flash_repay(ctx, amount)
    }

    /// Write off a collateral-less account's debt in a market (insurance fund, then lenders).
    pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
        instructions::settle_bad_debt(ctx)
    }

    /// Report a margin account's health as return data and an event (read-only).
    pub fn health(ctx: Context<ReportHealth>) -> Result<HealthReport> {
        instructions::health(ctx)
    }
}
