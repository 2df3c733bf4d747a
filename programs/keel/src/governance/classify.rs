//! Tightening or loosening: a change applies at once only when every field moves toward safety.
//!
//! ```text
//! tightening (each field equal or):  collateral weights lower, borrow weights higher,
//!                                    deposit/borrow caps lower, outflow limit lower or window longer,
//!                                    oracle max age lower, max confidence lower (same feed and
//!                                    price account); maintenance weights and oracle limits then
//!                                    reach health along the ramp (math/weight_ramp.rs);
//!                                    the volatility margin higher (floor lower: initial only),
//!                                    a size-aware limit set or lowered (initial only),
//!                                    e-mode weights lower within the same group,
//!                                    the slope above the kink higher, up to 500 %
//! anything else is loosening:        higher weights or caps, a new oracle feed or price account,
//!                                    any change to the second source, its limits, the divergence
//!                                    bound or the fallback haircut, any other change to the interest curve, the reserve factor, bonus or flash fee,
//!                                    any change of e-mode group (joining or leaving), ...
//! ```
use crate::math::emode::EmodeConfig;
use crate::math::interest::InterestCurve;
use crate::state::MarketConfig;

/// True when `new` differs from `old` only in the tightening direction (or not at all).
pub fn is_tightening(old: &MarketConfig, new: &MarketConfig) -> bool {
    let (ow, nw) = (&old.weights, &new.weights);
    let (oo, no) = (&old.oracle, &new.oracle);
    nw.init_asset_weight_bps <= ow.init_asset_weight_bps
        && nw.maint_asset_weight_bps <= ow.maint_asset_weight_bps
        && nw.init_liab_weight_bps >= ow.init_liab_weight_bps
        && nw.maint_liab_weight_bps >= ow.maint_liab_weight_bps
        && new.deposit_cap <= old.deposit_cap
        && new.borrow_cap <= old.borrow_cap
        && new.outflow.max_outflow <= old.outflow.max_outflow
        && new.outflow.window_secs >= old.outflow.window_secs
        && no.feed_id == oo.feed_id
        && no.price_account == oo.price_account
        && no.max_age_secs <= oo.max_age_secs
        && no.max_conf_bps <= oo.max_conf_bps
        && secondary_tightening(old, new)
        && curve_tightening(&old.curve, &new.curve)
        && new.reserve_factor_bps == old.reserve_factor_bps
        && new.bonus == old.bonus
        && new.flash_fee_bps == old.flash_fee_bps
        && limit_tightening(old.init_value_limit_usd, new.init_value_limit_usd)
        && emode_tightening(&old.emode, &new.emode)
}

/// The curve tightens when only its slope above the kink rises, up to `MAX_TIGHTENED_SLOPE2_BPS`
/// (issue 27, item 4: a squeeze of lenders must not wait for the timelock to get expensive).
/// The base rate, the first slope and the kink reach every borrower at any utilisation: they
/// wait for the timelock either way, as does a lower slope.
fn curve_tightening(old: &InterestCurve, new: &InterestCurve) -> bool {
    new.base_rate_bps == old.base_rate_bps
        && new.slope1_bps == old.slope1_bps
        && new.optimal_util_bps == old.optimal_util_bps
        && (new.slope2_bps == old.slope2_bps
            || (new.slope2_bps > old.slope2_bps
                && new.slope2_bps <= crate::constants::MAX_TIGHTENED_SLOPE2_BPS))
}

/// E-mode tightens when the group stays and its weights fall (the maintenance one then ramps,
/// math/weight_ramp.rs). Joining, leaving or changing a group waits for the timelock either way:
/// leaving drops every in-group account to the ordinary weights at once, so it must come with the
/// timelock's notice; a guardian in a hurry lowers the group's weights instead, which ramp.
fn emode_tightening(old: &EmodeConfig, new: &EmodeConfig) -> bool {
    new.group == old.group
        && new.init_asset_weight_bps <= old.init_asset_weight_bps
        && new.maint_asset_weight_bps <= old.maint_asset_weight_bps
}

/// A size-aware limit tightens when it is set where there was none, or lowered; removing or
/// raising it loosens (it only ever touches initial weights, math/size_aware.rs).
fn limit_tightening(old: u64, new: u64) -> bool {
    new == old || (new != 0 && (old == 0 || new < old))
}

/// The second source and the rules that combine it never change at once: adding, removing or
/// replacing it, or its limits, the divergence bound or the fallback haircut, all move
/// maintenance prices both ways (a tighter second-source limit switches the divergence check off
/// by making the source absent; a higher haircut or a lower bound can make healthy accounts
/// liquidatable with no ramp), so they wait for the timelock. Only the volatility margin, which
/// touches initial weights alone, may tighten at once.
fn secondary_tightening(old: &MarketConfig, new: &MarketConfig) -> bool {
    let (og, ng) = (&old.guard, &new.guard);
    new.secondary == old.secondary
        && ng.max_divergence_bps == og.max_divergence_bps
        && ng.fallback_haircut_bps == og.fallback_haircut_bps
        && ng.vol_margin_floor_bps <= og.vol_margin_floor_bps
        && ng.vol_margin_mult_bps >= og.vol_margin_mult_bps
        && ng.vol_margin_cap_bps >= og.vol_margin_cap_bps
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;

    fn base() -> MarketConfig {
        let mut c = MarketConfig::default();
        c.weights.init_asset_weight_bps = 8_000;
        c.weights.maint_asset_weight_bps = 8_500;
        c.weights.init_liab_weight_bps = 10_000;
        c.weights.maint_liab_weight_bps = 10_000;
        c.deposit_cap = 1_000;
        c.borrow_cap = 500;
        c.oracle.max_age_secs = 60;
        c.oracle.max_conf_bps = 200;
        c.outflow.max_outflow = 100;
        c.outflow.window_secs = 3_600;
        c.secondary.max_age_secs = 60;
        c.secondary.max_conf_bps = 200;
        c.guard.max_divergence_bps = 200;
        c.guard.fallback_haircut_bps = 5;
        c.guard.vol_margin_floor_bps = 50;
        c.guard.vol_margin_mult_bps = 10_000;
        c.guard.vol_margin_cap_bps = 500;
        c
    }

    #[test]
    fn directions() {
        let b = base();
        assert!(is_tightening(&b, &b));
        let t = |f: fn(&mut MarketConfig)| {
            let mut c = base();
            f(&mut c);
            is_tightening(&b, &c)
        };
        assert!(t(|c| c.weights.init_asset_weight_bps = 7_000));
        assert!(!t(|c| c.weights.init_asset_weight_bps = 8_100));
        assert!(t(|c| c.weights.init_liab_weight_bps = 11_000));
        assert!(!t(|c| c.weights.maint_liab_weight_bps = 9_999));
        assert!(t(|c| c.deposit_cap = 0));
        assert!(!t(|c| c.borrow_cap = 501));
        assert!(t(|c| c.oracle.max_age_secs = 30));
        assert!(!t(|c| c.oracle.max_conf_bps = 300));
        assert!(!t(|c| c.oracle.feed_id = [1; 32]));
        assert!(t(|c| c.outflow.max_outflow = 50));
        assert!(!t(|c| c.outflow.window_secs = 60));
        assert!(!t(|c| c.curve.slope1_bps = 1));
        assert!(!t(|c| c.bonus.max_bonus_bps = 1));
        assert!(!t(|c| c.secondary.feed = Pubkey::new_unique()));
        assert!(!t(|c| c.secondary.feed_hash = [2; 32]));
        assert!(!t(|c| c.secondary.max_age_secs = 30));
        assert!(!t(|c| c.secondary.max_conf_bps = 1));
        assert!(!t(|c| c.secondary.max_conf_bps = 300));
        assert!(!t(|c| c.guard.max_divergence_bps = 100));
        assert!(!t(|c| c.guard.max_divergence_bps = 201));
        assert!(!t(|c| c.guard.fallback_haircut_bps = 9));
        assert!(!t(|c| c.guard.vol_margin_mult_bps = 0));
        assert!(t(|c| c.guard.vol_margin_cap_bps = 700));
        assert!(!t(|c| c.guard.vol_margin_floor_bps = 60));
        assert!(!t(|c| c.flash_fee_bps = 1));
        assert!(
            t(|c| c.init_value_limit_usd = 1_000_000),
            "a limit where there was none"
        );
        let mut limited = base();
        limited.init_value_limit_usd = 1_000;
        assert!(is_tightening(
            &limited,
            &MarketConfig {
                init_value_limit_usd: 999,
                ..limited
            }
        ));
        assert!(!is_tightening(
            &limited,
            &MarketConfig {
                init_value_limit_usd: 1_001,
                ..limited
            }
        ));
        assert!(!is_tightening(&limited, &b), "removing the limit loosens");
        let mut grouped = base();
        grouped.emode = EmodeConfig {
            group: 1,
            init_asset_weight_bps: 9_000,
            maint_asset_weight_bps: 9_300,
        };
        let e = |f: fn(&mut EmodeConfig)| {
            let mut c = grouped;
            f(&mut c.emode);
            is_tightening(&grouped, &c)
        };
        assert!(e(|e| e.maint_asset_weight_bps = 9_000));
        assert!(e(|e| e.init_asset_weight_bps = 8_000));
        assert!(!e(|e| e.maint_asset_weight_bps = 9_400));
        assert!(!e(|e| *e = EmodeConfig::default()), "leaving a group");
        assert!(!e(|e| e.group = 2), "changing group");
        assert!(!is_tightening(&b, &grouped), "joining a group");
    }
}
