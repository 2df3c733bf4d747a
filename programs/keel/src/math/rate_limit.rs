//! Outflow rate limit on a market's *net* outflow: a sliding window estimated from two fixed
//! buckets of net flow (outflows minus inflows).
//!
//! ```text
//! windows are aligned to unix time:  start(t) = t - t mod W
//! each bucket holds a signed net flow: + borrow, withdraw;  - deposit, repay
//! used(t) = carried(previous) + current,   carried(p) = p * (W - (t - start)) / W
//!           (rounded toward +inf: a carried outflow rounds up, a carried inflow credit rounds down)
//! an outflow x is allowed iff used(t) + x <= limit;  inflows are always allowed
//! rolling over: one window later, current becomes previous; two or more later, both are zero
//! ```
//! Netting makes a round trip (deposit X then withdraw X, or borrow then repay) cost the window
//! nothing, so nobody can exhaust it for free; what the limit bounds is what the vault can lose,
//! net, over any window, which is what a bank run or an exploit draining the vault looks like.
//! The two-bucket estimate weighs the previous bucket by the share of it still inside the window,
//! so a round trip that straddles a bucket boundary still uses up to X * (t - start) / W: an
//! attacker who wants to use the window that way must leave X in the vault for that long.
//! Liquidations are outside the limit on both legs (as in marginfi): a liquidation must never
//! be stopped by a rate limit in the crash the limit exists for.
use super::fixed::{mul_div, Rounding};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Limit parameters (governance-set).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowLimit {
    /// Most base units that may leave the vault, net, per window; `u64::MAX` = none.
    pub max_outflow: u64,
    /// Window length, seconds (> 0).
    pub window_secs: u32,
}

/// Limit state (the two buckets of net flow).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowWindow {
    /// Start of the current bucket.
    pub window_start: i64,
    /// Net outflow in the current bucket (negative: net inflow).
    pub current: i128,
    /// Net outflow in the previous bucket.
    pub previous: i128,
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

    /// The sliding estimate of the net outflow of the last window, at `now` (after `roll`);
    /// negative when more came in than left.
    pub fn used(&self, window_secs: u32, now: i64) -> Result<i128> {
        let w = window_secs.max(1) as u128;
        let elapsed = now.saturating_sub(self.window_start).max(0) as u128;
        let remaining = w.saturating_sub(elapsed);
        let magnitude = self.previous.unsigned_abs();
        let carried = if self.previous >= 0 {
            mul_div(magnitude, remaining, w, Rounding::Up)? as i128
        } else {
            -(mul_div(magnitude, remaining, w, Rounding::Down)? as i128)
        };
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
            used.saturating_add(amount as i128) <= limit.max_outflow as i128,
            KeelError::OutflowLimitExceeded
        );
        self.current = self.current.saturating_add(amount as i128);
        Ok(())
    }

    /// Record an inflow of `amount` at `now` (a deposit or a repay): it nets against outflows.
    pub fn record_inflow(&mut self, limit: &OutflowLimit, amount: u64, now: i64) {
        if limit.max_outflow == u64::MAX {
            return;
        }
        self.roll(limit.window_secs, now);
        self.current = self.current.saturating_sub(amount as i128);
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

    /// Regression (audit finding 3): deposit X + withdraw X in a loop used to consume the window
    /// for free. Inflows net against it: the round trips use nothing, a real run is still limited.
    #[test]
    fn round_trips_use_nothing_and_a_run_is_still_limited() {
        let limit = OutflowLimit {
            max_outflow: 1_000,
            window_secs: W,
        };
        let mut w = OutflowWindow::default();
        let t = 36_000;
        for _ in 0..50 {
            w.record_inflow(&limit, 1_000, t);
            w.record(&limit, 1_000, t).unwrap();
        }
        w.record(&limit, 1_000, t + 1).unwrap();
        assert!(w.record(&limit, 1, t + 2).is_err());
    }

    proptest! {
        /// Outflows alone: within any one bucket, recorded outflow never passes the limit.
        #[test]
        fn never_more_than_the_limit_per_bucket(amounts in proptest::collection::vec((0u64..600, 0i64..900), 1..60)) {
            let limit = OutflowLimit { max_outflow: 1_000, window_secs: W };
            let mut w = OutflowWindow::default();
            let mut t = 0i64;
            for (amount, dt) in amounts {
                t += dt;
                let before = w;
                if w.record(&limit, amount, t).is_ok() {
                    prop_assert!(w.current <= limit.max_outflow as i128);
                    prop_assert!(w.used(W, t).unwrap() <= limit.max_outflow as i128);
                } else {
                    let mut rolled = before;
                    rolled.roll(W, t);
                    prop_assert_eq!(w.current, rolled.current);
                }
            }
        }

        /// With inflows: after every accepted outflow the sliding net is within the limit, and
        /// the current bucket holds exactly its net flow.
        #[test]
        fn net_flow_stays_within_the_limit(steps in proptest::collection::vec((0u64..800, any::<bool>(), 0i64..900), 1..80)) {
            let limit = OutflowLimit { max_outflow: 1_000, window_secs: W };
            let mut w = OutflowWindow::default();
            let mut t = 0i64;
            let (mut start, mut out, mut inflow) = (w.window_start, 0i128, 0i128);
            for (amount, is_out, dt) in steps {
                t += dt;
                w.roll(W, t);
                if w.window_start != start {
                    (start, out, inflow) = (w.window_start, 0, 0);
                }
                if is_out {
                    if w.record(&limit, amount, t).is_ok() {
                        out += amount as i128;
                        prop_assert!(w.used(W, t).unwrap() <= limit.max_outflow as i128);
                    }
                } else {
                    w.record_inflow(&limit, amount, t);
                    inflow += amount as i128;
                }
                // the bucket holds exactly the net flow recorded in it
                prop_assert_eq!(w.current, out - inflow);
            }
        }
    }
}
