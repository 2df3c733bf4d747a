//! Outflow rate limit on a market's *net* outflow, as a leaky bucket.
//!
//! ```text
//! level: the net outflow still counted (tokens; negative: a credit of recent inflows)
//! at every update, first the bucket drains toward zero:  drain = L * (t - updated_at) / W
//!   (rounded down: the limit never frees more than it should)
//!   level' = max(0, level - drain) if level > 0,  min(0, level + drain) if level < 0
//! an outflow x (borrow, withdraw) is allowed iff level' + x <= L;   then level' += x
//! an inflow x (deposit, repay) is always allowed;                   then level' -= x
//! ```
//! So at most L leaves at once, and L per window W after that (at most 2L in any window of
//! length W); what is deposited can leave again, net, without touching the limit. A round trip
//! (deposit X, withdraw X) costs the limit at most L * (time X sat in the vault) / W, whatever X:
//! nobody can exhaust the window for free, nor with borrowed size, and a flash loan (one
//! timestamp) costs nothing at all. (The two fixed buckets this replaces weighed a credit by the
//! share of its bucket still in the window but a withdrawal in full, so a deposit just before a
//! bucket boundary and its withdrawal just after blocked honest exits for most of a window.)
//! Liquidations are outside the limit on both legs (as in marginfi): a liquidation must never be
//! stopped by a rate limit in the crash the limit exists for. The exemption covers that one flow:
//! a liquidation's seizure is never refused, but it uses up the credit recent inflows left
//! (`record_exempt`), so a deposit that leaves through a liquidation takes its credit with it.
//! Every other outflow counts: a borrow, a withdrawal, and a deleverage order's payout (an order
//! that paid out uncounted turned the limit off for everyone: issue 26).
//! ```text
//! exempt outflow x:  level' = min(0, level' + x) if level' < 0,  else level' unchanged
//! ```
use super::fixed::{mul_div, Rounding};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Limit parameters (governance-set).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowLimit {
    /// Most base units that may leave the vault, net, at once and then per window;
    /// `u64::MAX` = none.
    pub max_outflow: u64,
    /// Window length, seconds (> 0): the bucket drains `max_outflow` per window.
    pub window_secs: u32,
}

/// Limit state (the bucket).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OutflowWindow {
    /// Net outflow still counted (negative: a credit of recent inflows), as of `updated_at`.
    pub level: i128,
    /// When `level` was last brought up to date.
    pub updated_at: i64,
}

impl OutflowWindow {
    /// Drain the bucket to `now`. A clock that reads earlier than the last update (the cluster's
    /// timestamp is an estimate, not strictly monotonic) drains nothing: going back in time must
    /// never hand out a fresh allowance.
    pub fn drain(&mut self, limit: &OutflowLimit, now: i64) -> Result<()> {
        let elapsed = now.saturating_sub(self.updated_at).max(0) as u128;
        let drained = mul_div(
            limit.max_outflow as u128,
            elapsed,
            limit.window_secs.max(1) as u128,
            Rounding::Down,
        )
        .unwrap_or(u128::MAX)
        .min(i128::MAX as u128) as i128;
        self.level = if self.level > 0 {
            (self.level - drained).max(0)
        } else {
            (self.level + drained).min(0)
        };
        self.updated_at = self.updated_at.max(now);
        Ok(())
    }

    /// Record an outflow of `amount` at `now`, refusing it when it would pass the limit.
    pub fn record(&mut self, limit: &OutflowLimit, amount: u64, now: i64) -> Result<()> {
        if limit.max_outflow == u64::MAX {
            return Ok(());
        }
        self.drain(limit, now)?;
        require!(
            self.level.saturating_add(amount as i128) <= limit.max_outflow as i128,
            KeelError::OutflowLimitExceeded
        );
        self.level = self.level.saturating_add(amount as i128);
        Ok(())
    }

    /// Record an outflow the limit never refuses (a liquidation's seizure): it uses up what credit
    /// the bucket holds and, past that, is not counted.
    pub fn record_exempt(&mut self, limit: &OutflowLimit, amount: u64, now: i64) -> Result<()> {
        if limit.max_outflow == u64::MAX {
            return Ok(());
        }
        self.drain(limit, now)?;
        if self.level < 0 {
            self.level = self.level.saturating_add(amount as i128).min(0);
        }
        Ok(())
    }

    /// Record an inflow of `amount` at `now` (a deposit or a repay): it nets against outflows.
    pub fn record_inflow(&mut self, limit: &OutflowLimit, amount: u64, now: i64) -> Result<()> {
        if limit.max_outflow == u64::MAX {
            return Ok(());
        }
        self.drain(limit, now)?;
        self.level = self.level.saturating_sub(amount as i128);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const W: u32 = 3_600;
    const LIMIT: OutflowLimit = OutflowLimit {
        max_outflow: 1_000,
        window_secs: W,
    };

    /// An exempt outflow is never refused, and it takes the credit of inflows with it (never
    /// more: past the credit it is not counted).
    #[test]
    fn an_exempt_outflow_uses_up_credit_and_is_never_refused() {
        let mut w = OutflowWindow::default();
        let t0 = 36_000;
        w.record(&LIMIT, 1_000, t0).unwrap();
        w.record_exempt(&LIMIT, 5_000, t0).unwrap();
        assert_eq!(w.level, 1_000, "past the limit: not counted, not refused");
        let mut w = OutflowWindow::default();
        w.record_inflow(&LIMIT, 3_000, t0).unwrap();
        w.record_exempt(&LIMIT, 2_000, t0).unwrap();
        assert_eq!(
            w.level, -1_000,
            "the credit of 3,000 less the 2,000 that left"
        );
        w.record_exempt(&LIMIT, 2_000, t0).unwrap();
        assert_eq!(w.level, 0);
        assert!(w.record(&LIMIT, 1_001, t0).is_err(), "no credit left over");
    }

    #[test]
    fn blocks_then_frees_as_the_bucket_drains() {
        let mut w = OutflowWindow::default();
        let t0 = 36_000;
        w.record(&LIMIT, 800, t0).unwrap();
        assert!(w.record(&LIMIT, 300, t0 + 10).is_err());
        // half a window later 500 drained: 300 + 300 fits
        assert!(w.record(&LIMIT, 300, t0 + 1_800).is_ok());
        // a window later it is empty again
        let mut w2 = OutflowWindow::default();
        w2.record(&LIMIT, 1_000, t0).unwrap();
        assert!(w2.record(&LIMIT, 1_000, t0 + 3_600).is_ok());
    }

    /// Regression (fuzzing): a clock reading before the last update must not hand out a fresh
    /// allowance, nor overflow.
    #[test]
    fn a_clock_going_back_gives_no_fresh_allowance() {
        let mut w = OutflowWindow::default();
        w.record(&LIMIT, 1_000, 36_000).unwrap();
        assert!(w.record(&LIMIT, 1, 35_999).is_err());
        assert!(w.record(&LIMIT, 1, i64::MIN).is_err());
        let mut far = OutflowWindow {
            level: 5,
            updated_at: i64::MAX - 10,
        };
        far.drain(&LIMIT, i64::MIN).unwrap(); // no overflow
    }

    /// Regression (audit finding 3): deposit X + withdraw X in a loop used to consume the window
    /// for free. Inflows net against it: the round trips use nothing, a real run is still limited.
    #[test]
    fn round_trips_use_nothing_and_a_run_is_still_limited() {
        let mut w = OutflowWindow::default();
        let t = 36_000;
        for _ in 0..50 {
            w.record_inflow(&LIMIT, 1_000_000, t).unwrap();
            w.record(&LIMIT, 1_000_000, t).unwrap();
        }
        w.record(&LIMIT, 1_000, t + 1).unwrap();
        assert!(w.record(&LIMIT, 1, t + 2).is_err());
    }

    /// Regression (review of finding 3): with two fixed buckets, a deposit just before a bucket
    /// boundary and its withdrawal just after blocked honest exits for most of the next window.
    /// In the bucket, that round trip costs what the credit drained while it sat: one second.
    #[test]
    fn a_round_trip_across_a_boundary_costs_only_its_time() {
        let mut w = OutflowWindow::default();
        let boundary = 36_000;
        w.record_inflow(&LIMIT, 4_000, boundary - 1).unwrap();
        w.record(&LIMIT, 4_000, boundary).unwrap();
        assert!(w.level <= 1, "level {}", w.level);
        // honest outflows at once and through the window
        w.record(&LIMIT, 998, boundary + 900).unwrap();
        assert!(w.record(&LIMIT, 10, boundary + 901).is_err());
    }

    proptest! {
        /// Outflows alone: the level never passes the limit, and over any span of length T the
        /// outflow accepted is at most L + L * T / W.
        #[test]
        fn outflow_is_bounded_by_burst_plus_refill(steps in proptest::collection::vec((0u64..700, 0i64..900), 1..80)) {
            let mut w = OutflowWindow::default();
            let mut t = 0i64;
            let mut log: Vec<(i64, u64)> = vec![];
            for (amount, dt) in steps {
                t += dt;
                if w.record(&LIMIT, amount, t).is_ok() {
                    log.push((t, amount));
                    prop_assert!(w.level <= LIMIT.max_outflow as i128);
                }
            }
            for (i, (start, _)) in log.iter().enumerate() {
                let mut sum = 0u128;
                for (at, amount) in &log[i..] {
                    sum += *amount as u128;
                    let span = (*at - *start) as u128;
                    prop_assert!(sum <= 1_000 + 1_000 * span / W as u128 + 1, "{sum} over {span} s");
                }
            }
        }

        /// With inflows: every accepted outflow leaves the level within the limit, and a round
        /// trip at one timestamp never changes the level.
        #[test]
        fn net_flow_stays_within_the_limit(steps in proptest::collection::vec((0u64..800, any::<bool>(), 0i64..900), 1..80)) {
            let mut w = OutflowWindow::default();
            let mut t = 0i64;
            for (amount, is_out, dt) in steps {
                t += dt;
                if is_out {
                    if w.record(&LIMIT, amount, t).is_ok() {
                        prop_assert!(w.level <= LIMIT.max_outflow as i128);
                    }
                } else {
                    let before = { let mut b = w; b.drain(&LIMIT, t).unwrap(); b.level };
                    w.record_inflow(&LIMIT, amount, t).unwrap();
                    w.record(&LIMIT, amount, t).unwrap();
                    prop_assert_eq!(w.level, before);
                }
            }
        }
    }
}
