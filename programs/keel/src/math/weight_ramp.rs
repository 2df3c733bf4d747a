//! The maintenance-weight ramp: a tightening of a maintenance weight takes effect linearly over a
//! period instead of at once (Euler's liquidation-LTV ramp, Mango's weight shift).
//!
//! ```text
//! effective(t) = to                                       t >= end, or no ramp (from == to)
//!              = from + (to - from) * (t - start) / (end - start)   in between, rounded toward `to`
//! retarget at t:  from' = effective(t) where the new target is tighter (collateral weight lower,
//!                 borrow weight higher), else the new target itself (a loosening applies at once);
//!                 start' = t, end' = t + period
//! ```
//! Initial weights are never ramped: they only gate new borrowing and withdrawals, so tightening
//! them at once takes nothing from anyone. A ramped maintenance weight always lies between the old
//! and the new value, so every bound that both satisfy (0 <= initial <= maintenance <= 100 %,
//! borrow weights >= 100 %) holds along the way.
use super::health::RiskWeights;
use anchor_lang::prelude::*;

/// A maintenance-weight change in progress (all zero: none).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct WeightRamp {
    /// When the ramp started.
    pub start_ts: i64,
    /// When the target weights apply in full.
    pub end_ts: i64,
    /// Maintenance collateral weight at the start, bps.
    pub from_asset_bps: u16,
    /// Maintenance borrow weight at the start, bps.
    pub from_liab_bps: u16,
}

/// The value `from` moves toward `to` along [start, end] at `now`, rounded toward `to`.
pub fn ramped(from: u16, to: u16, start: i64, end: i64, now: i64) -> u16 {
    if from == to || end <= start || now >= end {
        return to;
    }
    if now <= start {
        return from;
    }
    let span = (end as i128 - start as i128) as u128;
    let elapsed = (now as i128 - start as i128) as u128;
    let gap = from.abs_diff(to) as u128;
    let moved = (gap * elapsed).div_ceil(span) as u16; // <= gap: elapsed < span
    if to < from {
        from - moved
    } else {
        from + moved
    }
}

impl WeightRamp {
    /// The weights in force at `now`: `target`'s, with its maintenance weights ramped.
    pub fn effective(&self, target: &RiskWeights, now: i64) -> RiskWeights {
        RiskWeights {
            maint_asset_weight_bps: ramped(
                self.from_asset_bps,
                target.maint_asset_weight_bps,
                self.start_ts,
                self.end_ts,
                now,
            ),
            maint_liab_weight_bps: ramped(
                self.from_liab_bps,
                target.maint_liab_weight_bps,
                self.start_ts,
                self.end_ts,
                now,
            ),
            ..*target
        }
    }

    /// The ramp toward `next` starting at `now` from the weights in force, `current`: a tighter
    /// maintenance weight ramps over `period` seconds, a looser one applies at once.
    /// `max_asset_bps` caps the starting collateral weight (the bonus bound of the new config).
    pub fn retarget(
        current: &RiskWeights,
        next: &RiskWeights,
        max_asset_bps: u16,
        now: i64,
        period: i64,
    ) -> WeightRamp {
        let from_asset = if next.maint_asset_weight_bps < current.maint_asset_weight_bps {
            current
                .maint_asset_weight_bps
                .min(max_asset_bps)
                .max(next.maint_asset_weight_bps)
        } else {
            next.maint_asset_weight_bps
        };
        let from_liab = next
            .maint_liab_weight_bps
            .min(current.maint_liab_weight_bps);
        WeightRamp {
            start_ts: now,
            end_ts: now.saturating_add(period),
            from_asset_bps: from_asset,
            from_liab_bps: from_liab,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(maint_asset: u16, maint_liab: u16) -> RiskWeights {
        RiskWeights {
            init_asset_weight_bps: maint_asset.min(8_000),
            maint_asset_weight_bps: maint_asset,
            init_liab_weight_bps: maint_liab.max(10_000),
            maint_liab_weight_bps: maint_liab,
        }
    }

    #[test]
    fn a_cut_ramps_and_a_raise_is_immediate() {
        let ramp = WeightRamp::retarget(&w(8_500, 10_000), &w(1, 10_000), 10_000, 1_000, 100);
        let t = |now| ramp.effective(&w(1, 10_000), now).maint_asset_weight_bps;
        assert_eq!(t(1_000), 8_500);
        assert_eq!(t(1_050), 4_250);
        assert_eq!(t(1_100), 1);
        let up = WeightRamp::retarget(&w(8_500, 10_000), &w(9_000, 10_000), 10_000, 1_000, 100);
        assert_eq!(
            up.effective(&w(9_000, 10_000), 1_000)
                .maint_asset_weight_bps,
            9_000
        );
        // a default (no) ramp is the target
        let none = WeightRamp::default();
        assert_eq!(none.effective(&w(7_000, 12_000), 5), w(7_000, 12_000));
    }

    proptest! {
        /// Along the ramp the weight lies between its start and its target, moves only toward
        /// the target as time passes, and equals the target at the end.
        #[test]
        fn ramps_are_monotone_and_bounded(from in 0u16..=10_000, to in 0u16..=10_000,
                                          span in 1i64..1_000_000, a in 0i64..2_000_000, b in 0i64..2_000_000) {
            let (t1, t2) = (a.min(b), a.max(b));
            let v1 = ramped(from, to, 0, span, t1);
            let v2 = ramped(from, to, 0, span, t2);
            prop_assert!(v1 >= from.min(to) && v1 <= from.max(to));
            prop_assert!(from.abs_diff(v2) >= from.abs_diff(v1));
            prop_assert_eq!(ramped(from, to, 0, span, span), to);
        }

        /// A retarget never loosens at once more than the target, and never starts tighter than
        /// the weights in force.
        #[test]
        fn retargeting_starts_from_what_is_in_force(cur_a in 0u16..=10_000, next_a in 0u16..=10_000,
                                                    cur_l in 10_000u16..=50_000, next_l in 10_000u16..=50_000) {
            let ramp = WeightRamp::retarget(&w(cur_a, cur_l), &w(next_a, next_l), 10_000, 0, 100);
            let now = ramp.effective(&w(next_a, next_l), 0);
            prop_assert_eq!(now.maint_asset_weight_bps, cur_a.max(next_a));
            prop_assert_eq!(now.maint_liab_weight_bps, cur_l.min(next_l));
        }
    }
}
