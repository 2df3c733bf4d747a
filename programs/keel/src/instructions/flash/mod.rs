//! Flash loans: tokens out of a market's vault and back, with a fee, within one transaction.
//!
//! The design: a plain flash loan of the vault, around whatever the borrower does with it
//! (`liquidate`, a swap, a deposit and a borrow), rather than a deferred health check on a margin
//! account (marginfi's flash-loan flag, or its "receivership" liquidation). Nothing about a margin
//! account is ever deferred: every instruction in between checks its own health, caps and limits
//! as it would alone, so the invariants hold at every instruction boundary, not just at the end
//! of the transaction. The only state that spans instructions is the market's `flash_loan` (what
//! is owed), which only `flash_repay` clears. (marginfi's 2025 flash-loan flaw was a deferred
//! check that a newer instruction did not honour: there is none here to forget.)
pub mod flash_borrow;
pub mod flash_repay;
pub mod scan;

pub use flash_borrow::*;
pub use flash_repay::*;
