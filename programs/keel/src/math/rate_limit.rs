//! Outflow rate limit: a sliding window estimated from two fixed buckets.
//!
//! ```text
//! windows are aligned to unix time:  start(t) = t - t mod W
//! used(t) = previous * (W - (t - start)) / W  +  current          (rounded up)
//! an outflow x is allowed iff used(t) + x <= limit
//! rolling over: one window later, current becomes previous; two or more later, both are zero
//! ```
//! The estimate never lets more than `limit` leave in any window of length W that starts at a
//! bucket boundary, and avoids the double allowance a plain fixed window gives across a boundary.
use super::fixed::{mul_div, Rounding};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Limit parameters (governance-set).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowLimit {
    /// Most base units that may leave the vault (borrow + withdraw) per window; `u64::MAX` = none.
    pub max_outflow: u64,
    /// Window length, seconds (> 0).
    pub window_secs: u32,
}

/// Limit state (the two buckets).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowWindow {
    /// Start of the current bucket.
    pub window_start: i64,
    /// Outflow in the current bucket.
    pub current: u64,
    /// Outflow in the previous bucket.
    pub previous: u64,
}

impl OutflowWindow {
    /// Roll the buckets forward to `now`. A clock that reads earlier than the current bucket
    /// (the cluster's timestamp is an estimate, not strictly monotonic) keeps the buckets as they
    /// are: going back in time must never hand out a fresh allowance.
    pub fn roll(&mut self, window_secs: u32, now: i64) {
        let w = window_secs.max(1) as i64;
        let start = now.checked_sub(now.rem_euclid(w)).unwrap_or(i64::MIN);
        if start <= self.window_start {
            return;
        }
        let one_window_on = start.checked_sub(self.window_start) == Some(w);
        self.previous = if one_window_on { self.current } else { 0 };
        self.current = 0;
        self.window_start = start;
    }

    /// The sliding estimate of what left in the last window, at `now` (after `roll`).
    pub fn used(&self, window_secs: u32, now: i64) -> Result<u64> {
        let w = window_secs.max(1) as u128;
        let elapsed = now.saturating_sub(self.window_start).max(0) as u128;
        let remaining = w.saturating_sub(elapsed);
        let carried = mul_div(self.previous as u128, remaining, w, Rounding::Up)? as u64;
        Ok(carried.saturating_add(self.current))
    }

    /// Record an outflow of `amount` at `now`, refusing it when it would pass the limit.
    pub fn record(&mut self, limit: &OutflowLimit, amount: u64, now: i64) -> Result<()> {
        if limit.max_outflow == u64::MAX {
            return Ok(());
        }
        self.roll(limit.window_secs, now);
        let used = self.used(limit.window_secs, now)?;
        require!(
            used.checked_add(amount)
                .is_some_and(|u| u <= limit.max_outflow),
            KeelError::OutflowLimitExceeded
        );
        self.current = self.current.saturating_add(amount);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const W: u32 = 3_600;

    #[test]
    fn blocks_then_frees_as_the_window_slides() {
        let limit = OutflowLimit {
            max_outflow: 1_000,
            window_secs: W,
        };
        let mut w = OutflowWindow::default();
        let t0 = 36_000; // a window boundary
        w.record(&limit, 800, t0).unwrap();
        assert!(w.record(&limit, 300, t0 + 10).is_err());
        // next window, half way: 800 * 1/2 carried
        assert!(w.record(&limit, 300, t0 + 3_600 + 1_800).is_ok());
        // two windows on: all free
        let mut w2 = OutflowWindow::default();
        w2.record(&limit, 1_000, t0).unwrap();
        assert!(w2.record(&limit, 1_000, t0 + 7_200).is_ok());
    }

    /// Regression (fuzzing): a clock reading before the current bucket used to zero both
    /// buckets (and could overflow), handing out a fresh allowance.
    #[test]
    fn a_clock_going_back_gives_no_fresh_allowance() {
        let limit = OutflowLimit {
            max_outflow: 1_000,
            window_secs: W,
        };
        let mut w = OutflowWindow::default();
        w.record(&limit, 1_000, 36_000).unwrap();
        assert!(w.record(&limit, 1, 35_999).is_err());
        assert!(w.record(&limit, 1, i64::MIN).is_err());
        let mut far = OutflowWindow {
            window_start: i64::MAX - 10,
            current: 0,
            previous: 0,
        };
        far.roll(W, i64::MIN); // no overflow
    }

    proptest! {
        /// Within any one bucket, recorded outflow never passes the limit.
        #[test]
        fn never_more_than_the_limit_per_bucket(amounts in proptest::collection::vec((0u64..600, 0i64..900), 1..60)) {
            let limit = OutflowLimit { max_outflow: 1_000, window_secs: W };
            let mut w = OutflowWindow::default();
            let mut t = 0i64;
            for (amount, dt) in amounts {
                t += dt;
                let before = w;
                if w.record(&limit, amount, t).is_ok() {
                    prop_assert!(w.current <= limit.max_outflow);
                    prop_assert!(w.used(W, t).unwrap() <= limit.max_outflow);
                } else {
                    let mut rolled = before;
                    rolled.roll(W, t);
                    prop_assert_eq!(w.current, rolled.current);
                }
            }
        }
    }
}
