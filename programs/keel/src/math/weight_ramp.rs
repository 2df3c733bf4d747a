//! The maintenance ramp: a tightening of a maintenance weight takes effect linearly over a period
//! instead of at once (Euler's liquidation-LTV ramp, Mango's weight shift), and a tightening of an
//! oracle limit (max age, max confidence) reaches health and liquidation only at the ramp's end.
//!
//! ```text
//! effective(t) = to                                       t >= end, or no ramp (from == to)
//!              = from + (to - from) * (t - start) / (end - start)   in between, rounded toward `to`
//! oracle limits for health and liquidation at t: max(from, to) before end, `to` after
//! retarget at t:  from' = the value in force at t where the new target is tighter (collateral
//!                 weight lower, borrow weight higher, oracle limit lower), else the new target
//!                 itself (a loosening applies at once); the collateral weight's start is capped
//!                 at the new config's bonus bound ((1 + max_bonus) * w < 100 %);
//!                 start' = t, end' = t + period
//! ```
//! Without the oracle part a guardian could lower `max_age_secs` or `max_conf_bps` so far that
//! every update fails, and a failed collateral price counts zero in liquidation: the same mass
//! liquidation as cutting the weight at once.
//! Initial weights are never ramped: they only gate new borrowing and withdrawals, so tightening
//! them at once takes nothing from anyone. A ramped maintenance weight always lies between the old
//! and the new value, so every bound that both satisfy (0 <= initial <= maintenance <= 100 %,
//! borrow weights >= 100 %) holds along the way.
use super::health::RiskWeights;
use crate::state::OracleConfig;
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
    /// Oracle max age in force for health and liquidation until `end_ts`, seconds.
    pub from_max_age_secs: u32,
    /// Oracle max confidence in force for health and liquidation until `end_ts`, bps.
    pub from_max_conf_bps: u16,
    /// E-mode maintenance collateral weight at the start, bps (math/emode.rs).
    pub from_emode_asset_bps: u16,
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

    /// The e-mode maintenance collateral weight in force at `now`, toward `target`.
    pub fn emode_maint(&self, target: u16, now: i64) -> u16 {
        ramped(
            self.from_emode_asset_bps,
            target,
            self.start_ts,
            self.end_ts,
            now,
        )
    }

    /// The oracle limits health and liquidation apply at `now`: the looser of the ramp's start
    /// and `target`'s until the ramp ends.
    pub fn oracle_limits(&self, target: &OracleConfig, now: i64) -> OracleConfig {
        if now >= self.end_ts {
            return *target;
        }
        OracleConfig {
            max_age_secs: target.max_age_secs.max(self.from_max_age_secs),
            max_conf_bps: target.max_conf_bps.max(self.from_max_conf_bps),
            ..*target
        }
    }

    /// The ramp toward `next` starting at `now` from what is in force, `current` (weights, and the
    /// oracle limits health applies): a tighter maintenance weight ramps over `period` seconds, a
    /// tighter oracle limit applies to health at its end, a looser one of either applies at once.
    /// `max_asset_bps` caps the starting collateral weight (the bonus bound of the new config).
    /// The e-mode weight ramps the same way (`current_emode`, `next_emode`: in force, target).
    pub fn retarget(
        (current, current_oracle): (&RiskWeights, &OracleConfig),
        (next, next_oracle): (&RiskWeights, &OracleConfig),
        (current_emode, next_emode): (u16, u16),
        max_asset_bps: u16,
        now: i64,
        period: i64,
    ) -> WeightRamp {
        let start = |current: u16, next: u16| {
            if next < current {
                current.min(max_asset_bps).max(next)
            } else {
                next
            }
        };
        let from_asset = start(current.maint_asset_weight_bps, next.maint_asset_weight_bps);
        let from_liab = next
            .maint_liab_weight_bps
            .min(current.maint_liab_weight_bps);
        WeightRamp {
            start_ts: now,
            end_ts: now.saturating_add(period),
            from_asset_bps: from_asset,
            from_liab_bps: from_liab,
            from_max_age_secs: current_oracle.max_age_secs.max(next_oracle.max_age_secs),
            from_max_conf_bps: current_oracle.max_conf_bps.max(next_oracle.max_conf_bps),
            from_emode_asset_bps: start(current_emode, next_emode),
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
        let o = OracleConfig::default();
        let ramp = WeightRamp::retarget(
            (&w(8_500, 10_000), &o),
            (&w(1, 10_000), &o),
            (0, 0),
            10_000,
            1_000,
            100,
        );
        let t = |now| ramp.effective(&w(1, 10_000), now).maint_asset_weight_bps;
        assert_eq!(t(1_000), 8_500);
        assert_eq!(t(1_050), 4_250);
        assert_eq!(t(1_100), 1);
        let up = WeightRamp::retarget(
            (&w(8_500, 10_000), &o),
            (&w(9_000, 10_000), &o),
            (0, 0),
            10_000,
            1_000,
            100,
        );
        assert_eq!(
            up.effective(&w(9_000, 10_000), 1_000)
                .maint_asset_weight_bps,
            9_000
        );
        // a default (no) ramp is the target
        let none = WeightRamp::default();
        assert_eq!(none.effective(&w(7_000, 12_000), 5), w(7_000, 12_000));
    }

    /// Audit review: a lower oracle max age or confidence reaches health only at the ramp's end.
    #[test]
    fn tighter_oracle_limits_wait_for_the_ramp() {
        let old = OracleConfig {
            max_age_secs: 60,
            max_conf_bps: 200,
            ..OracleConfig::default()
        };
        let new = OracleConfig {
            max_age_secs: 5,
            max_conf_bps: 1,
            ..old
        };
        let ramp = WeightRamp::retarget(
            (&w(8_500, 10_000), &old),
            (&w(8_500, 10_000), &new),
            (0, 0),
            10_000,
            0,
            100,
        );
        assert_eq!(ramp.oracle_limits(&new, 50), old);
        assert_eq!(ramp.oracle_limits(&new, 100), new);
        // a looser limit applies at once
        let ramp = WeightRamp::retarget(
            (&w(8_500, 10_000), &new),
            (&w(8_500, 10_000), &old),
            (0, 0),
            10_000,
            0,
            100,
        );
        assert_eq!(ramp.oracle_limits(&old, 0), old);
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
            let o = OracleConfig::default();
            let ramp = WeightRamp::retarget((&w(cur_a, cur_l), &o), (&w(next_a, next_l), &o), (cur_a, next_a), 10_000, 0, 100);
            prop_assert_eq!(ramp.emode_maint(next_a, 0), cur_a.max(next_a));
            prop_assert_eq!(ramp.emode_maint(next_a, 100), next_a);
            let now = ramp.effective(&w(next_a, next_l), 0);
            prop_assert_eq!(now.maint_asset_weight_bps, cur_a.max(next_a));
            prop_assert_eq!(now.maint_liab_weight_bps, cur_l.min(next_l));
        }
    }
}
