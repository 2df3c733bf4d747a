//! Compute-unit limits for Keel instructions, from the per-position cost model that the
//! compute-unit suite measures on the SBF binary (`cu/tests/compute_units.rs` fails when a
//! measured instruction exceeds its model).
//!
//! ```text
//! limit(n positions) = (base + per_position * n) * (100 + MARGIN_PCT) / 100,  at most 1,400,000
//! ```
//! The margin covers what the suite cannot see: CPI costs on a live cluster differ a little from
//! the runtime the suite uses, and platform-tools' LLVM from the upstream one.

/// Headroom over the measured model, percent.
pub const MARGIN_PCT: u64 = 25;
/// The most compute units a transaction may request.
pub const MAX_TRANSACTION_CU: u64 = 1_400_000;

/// `liquidate`: fixed part (two token CPIs, accruals, planning), CU.
pub const LIQUIDATE_BASE_CU: u64 = 53_000;
/// `liquidate`: each position of the liquidated account, CU (3,611 measured with one price
/// source, 4,376 with a second: the margin covers that).
pub const LIQUIDATE_PER_POSITION_CU: u64 = 4_000;
/// `borrow`, `withdraw`, `health`: fixed part, CU.
pub const HEALTH_CHECK_BASE_CU: u64 = 14_000;
/// `borrow`, `withdraw`, `health`: each position, CU (2,713 measured with one price source,
/// 3,480 with a second: the margin covers that).
pub const HEALTH_CHECK_PER_POSITION_CU: u64 = 3_000;
/// `flash_borrow` and `flash_repay` together (the compute-unit suite measures the pair under it).
pub const FLASH_LOAN_PAIR_CU: u32 = 40_000;

fn limit(base: u64, per_position: u64, positions: usize) -> u32 {
    let raw = (base + per_position * positions as u64) * (100 + MARGIN_PCT) / 100;
    raw.min(MAX_TRANSACTION_CU) as u32
}

/// Compute-unit limit for a `liquidate` of an account with `positions` positions.
pub fn liquidation_units(positions: usize) -> u32 {
    limit(LIQUIDATE_BASE_CU, LIQUIDATE_PER_POSITION_CU, positions)
}

/// Compute-unit limit for a `borrow`, `withdraw` or `health` of an account with `positions`
/// positions.
pub fn health_check_units(positions: usize) -> u32 {
    limit(
        HEALTH_CHECK_BASE_CU,
        HEALTH_CHECK_PER_POSITION_CU,
        positions,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_positions_and_stay_within_a_transaction() {
        assert!(liquidation_units(2) < liquidation_units(16));
        assert!(
            liquidation_units(16) <= 200_000,
            "fits the default per-instruction budget"
        );
        assert!(health_check_units(16) < liquidation_units(16));
        assert_eq!(liquidation_units(10_000), MAX_TRANSACTION_CU as u32);
    }
}
