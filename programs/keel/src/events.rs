//! Events: every state change emits one.
// `MarketConfigChanged` carries two whole configurations: the serializer `#[event]` generates
// measures just above the 4 KiB threshold in host MIR, which sums every field's temporary
// without reusing slots. The compute-unit suite runs the SBF binary's `tighten_market`, which
// emits it (the SBF build's real frames are what counts).
#![allow(clippy::large_stack_frames)]
use crate::math::fixed::Wad;
use crate::state::MarketConfig;
use anchor_lang::prelude::*;

/// `emit!`, which on SBF writes the event into the transaction's logs (`sol_log_data`). Anchor's
/// host build of `sol_log_data` drops the bytes, so the native build the test runtime and the
/// simulator execute also hands them to the runtime's syscall stubs; that line is not compiled
/// into the SBF binary.
macro_rules! emit_event {
    ($event:expr) => {{
        let event = $event;
        #[cfg(not(target_os = "solana"))]
        $crate::events::log_natively(&event);
        anchor_lang::prelude::emit!(event);
    }};
}
pub(crate) use emit_event;

/// The host build's half of [`emit_event`] (kept out of line so instruction frames do not grow).
#[cfg(not(target_os = "solana"))]
#[inline(never)]
pub fn log_natively<E: anchor_lang::Event>(event: &E) {
    solana_sysvar::program_stubs::sol_log_data(&[&event.data()]);
}

/// A pool was created.
#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub creator: Pubkey,
    pub pool_id: u64,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub timelock_delay_secs: i64,
    pub liquidation: crate::math::liquidation::LiquidationConfig,
}

/// A market was listed in a pool.
#[event]
pub struct MarketAdded {
    pub pool: Pubkey,
    pub market: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub config: MarketConfig,
    /// When deposits and borrows open (listing is behind the timelock).
    pub active_after: i64,
}

/// A margin account was opened.
#[event]
pub struct AccountOpened {
    pub pool: Pubkey,
    pub margin_account: Pubkey,
    pub owner: Pubkey,
    pub account_id: u64,
}

/// A margin account was closed and its rent returned.
#[event]
pub struct AccountClosed {
    pub margin_account: Pubkey,
    pub owner: Pubkey,
}

/// Interest was accrued on a market.
#[event]
pub struct InterestAccrued {
    pub market: Pubkey,
    pub interest: Wad,
    pub protocol_fee: Wad,
    pub deposit_index: Wad,
    pub borrow_index: Wad,
    pub timestamp: i64,
}

/// Tokens were deposited into a margin account.
#[event]
pub struct Deposited {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// Tokens were withdrawn from a margin account.
#[event]
pub struct Withdrawn {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
    /// The withdrawal's share of the market's provisioned loss (tokens, Wad), left in the
    /// insurance fund, which covers that loss first (math/provision.rs).
    pub haircut: Wad,
}

/// Tokens were borrowed against a margin account.
#[event]
pub struct Borrowed {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// Debt of a margin account was repaid (by anyone).
#[event]
pub struct Repaid {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub payer: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// A margin account's owner named (or, with the default key, cleared) its delegate.
#[event]
pub struct DelegateSet {
    pub margin_account: Pubkey,
    pub owner: Pubkey,
    pub previous: Pubkey,
    pub delegate: Pubkey,
    /// The powers granted (state/delegate.rs), one bit each.
    pub powers: u8,
    /// The new delegate epoch: orders the previous delegate posted no longer execute.
    pub epoch: u32,
}

/// Tokens were lent out of a market's vault until the transaction's `flash_repay`.
#[event]
pub struct FlashBorrowed {
    pub market: Pubkey,
    pub borrower: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub fee: u64,
}

/// A flash loan came back; its fee joined the market's insurance fund.
#[event]
pub struct FlashRepaid {
    pub market: Pubkey,
    pub payer: Pubkey,
    pub amount: u64,
    pub fee: u64,
}

/// The health of a margin account, as computed by the program.
#[event]
pub struct HealthReported {
    pub margin_account: Pubkey,
    pub report: crate::state::HealthReport,
}

/// A margin account was liquidated.
#[event]
pub struct Liquidated {
    pub margin_account: Pubkey,
    pub liquidator: Pubkey,
    pub repay_market: Pubkey,
    pub seize_market: Pubkey,
    /// Debt repaid, base units of the debt token.
    pub repaid: u64,
    /// Collateral taken from the account, base units of the collateral token.
    pub seized: u64,
    /// Part of `seized` that is the bonus (seize token; all of `seized` goes to the liquidator).
    pub bonus: u64,
    /// The protocol's share of the bonus, in the REPAY token: paid by the liquidator on top of
    /// `repaid`, into the repay market's insurance fund.
    pub fee: u64,
    /// Bonus rate applied, bps.
    pub bonus_bps: u64,
    pub health_factor_before: Wad,
    pub health_factor_after: Wad,
}

/// An insolvent account's expected loss was booked (or released) on one of its debt markets
/// (risk/provision.rs): withdrawals from the market pay at the index marked down by the
/// provisions its insurance fund does not cover.
#[event]
pub struct ProvisionBooked {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Tokens of the account's debt in the market provisioned now (0: released).
    pub provisioned: u64,
    /// The market's provisions after.
    pub market_provisioned: u64,
}

/// A keeper refilled a market's insurance fund from another market's surplus
/// (instructions/keeper/rebalance_insurance.rs).
#[event]
pub struct InsuranceRebalanced {
    pub keeper: Pubkey,
    pub needy_market: Pubkey,
    pub donor_market: Pubkey,
    /// Needy-market tokens paid into its fund.
    pub paid_in: u64,
    /// Donor-market tokens paid out of its fund.
    pub paid_out: u64,
    pub needy_fund_after: Wad,
    pub donor_fund_after: Wad,
}

/// Bad debt was covered by a market's insurance fund.
#[event]
pub struct BadDebtCovered {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Tokens of debt covered (Wad).
    pub amount: Wad,
    pub insurance_fund_after: Wad,
}

/// Bad debt beyond the insurance fund was socialised to the market's lenders.
#[event]
pub struct BadDebtSocialised {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Tokens of debt socialised (Wad).
    pub amount: Wad,
    pub deposit_index_before: Wad,
    pub deposit_index_after: Wad,
}

/// A market's configuration changed (immediately when tightening, or by an executed change).
#[event]
pub struct MarketConfigChanged {
    pub market: Pubkey,
    pub old: MarketConfig,
    pub new: MarketConfig,
    /// Who signed the immediate change, or who executed the queued one.
    pub by: Pubkey,
    /// True for an immediate (tightening) change.
    pub immediate: bool,
    /// The maintenance ramp in force after the change (math/weight_ramp.rs).
    pub maint_ramp: crate::math::weight_ramp::WeightRamp,
    /// The market's configuration version after the change.
    pub config_version: u64,
}

/// A loosening change was queued.
#[event]
pub struct ChangeQueued {
    pub pool: Pubkey,
    pub change: Pubkey,
    pub id: u64,
    pub kind: crate::state::ChangeKind,
    pub eta: i64,
    /// The state it was queued against (governance/change_base.rs): it executes only while the
    /// current base hashes the same.
    pub base_hash: [u8; 32],
}

/// A queued change was executed.
#[event]
pub struct ChangeExecuted {
    pub pool: Pubkey,
    pub change: Pubkey,
    pub id: u64,
    pub kind: crate::state::ChangeKind,
    pub executor: Pubkey,
}

/// A queued change was cancelled.
#[event]
pub struct ChangeCancelled {
    pub pool: Pubkey,
    pub change: Pubkey,
    pub id: u64,
    pub by: Pubkey,
}

/// The pool's pause flags changed.
#[event]
pub struct PauseChanged {
    pub pool: Pubkey,
    pub borrow_paused_before: bool,
    pub borrow_paused: bool,
    pub liquidation_paused_before: bool,
    pub liquidation_paused: bool,
    /// How many times borrowing was paused so far (a queued un-pause lifts only the pause it was
    /// queued against).
    pub borrow_pause_count: u64,
    pub by: Pubkey,
}

/// The pool's liquidation parameters changed (by an executed change).
#[event]
pub struct LiquidationConfigChanged {
    pub pool: Pubkey,
    pub old: crate::math::liquidation::LiquidationConfig,
    pub new: crate::math::liquidation::LiquidationConfig,
}

/// The timelock delay changed.
#[event]
pub struct TimelockDelayChanged {
    pub pool: Pubkey,
    pub old: i64,
    pub new: i64,
    pub immediate: bool,
}

/// An admin or guardian hand-over was proposed, accepted or cancelled.
#[event]
pub struct AuthorityChanged {
    pub pool: Pubkey,
    pub role: crate::state::Role,
    pub action: crate::state::AuthorityAction,
    pub old: Pubkey,
    pub new: Pubkey,
}

/// An insolvent account's dust collateral was booked into its market's insurance fund, so that
/// its debt can be settled.
#[event]
pub struct DustCollateralSwept {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Deposit shares burned.
    pub shares: u64,
    /// Tokens they were worth, now the insurance fund's (Wad).
    pub amount: Wad,
    /// The account's whole collateral value at the conservative price (USD, Wad).
    pub collateral_value: Wad,
    /// The account's whole debt value (USD, Wad).
    pub debt_value: Wad,
}

/// A liquidator took seized collateral as a deposit in its own margin account (shares moved).
#[event]
pub struct CollateralTakenAsDeposit {
    pub margin_account: Pubkey,
    pub liquidator_account: Pubkey,
    pub market: Pubkey,
    /// Tokens credited.
    pub amount: u64,
    /// Deposit shares credited.
    pub shares: u64,
}

/// The liquidation bonus clock of an account stopped: an instruction saw the account healthy.
#[event]
pub struct BonusClockCleared {
    pub margin_account: Pubkey,
    /// When the clock had started.
    pub since: i64,
}

/// A deleverage order was posted on a margin account.
#[event]
pub struct OrderPosted {
    pub order: Pubkey,
    pub margin_account: Pubkey,
    pub authority: Pubkey,
    pub order_id: u8,
    pub repay_market: Pubkey,
    pub seize_market: Pubkey,
    pub trigger: crate::state::OrderTrigger,
    pub max_repay: u64,
    pub min_bonus_bps: u16,
    pub max_bonus_bps: u16,
    pub expires_at: i64,
}

/// A deleverage order was cancelled by the account's owner or delegate.
#[event]
pub struct OrderCancelled {
    pub order: Pubkey,
    pub margin_account: Pubkey,
    pub authority: Pubkey,
    pub remaining_repay: u64,
}

/// A triggered deleverage order was executed: debt repaid by the executor, collateral paid to it.
#[event]
pub struct OrderExecuted {
    pub order: Pubkey,
    pub margin_account: Pubkey,
    pub executor: Pubkey,
    pub repay_market: Pubkey,
    pub seize_market: Pubkey,
    pub repaid: u64,
    pub seized: u64,
    pub bonus_bps: u16,
    /// The protocol's share of the bonus, repay-token base units, paid by the executor on top of
    /// `repaid` into the repay market's insurance fund.
    pub fee: u64,
    /// The payout's share of the seize market's provisioned loss (tokens, Wad), into that
    /// market's insurance fund: an order pays its owner out as a withdrawal would.
    pub haircut: Wad,
    pub health_factor_before: Wad,
    pub health_factor_after: Wad,
    /// Debt the order may still repay (0: used up and closed).
    pub remaining_repay: u64,
}
