//! E-mode: higher collateral weights for correlated pairs (SOL and its staking tokens, the USD
//! stablecoins), automatic and keyed on what the account borrows (marginfi's tag-based entries).
//!
//! ```text
//! each market: group g (0: none) and its e-mode collateral weights (init_e, maint_e)
//! the account's group G = g   when it has debt and every debt position's market is in g != 0
//!                       = none otherwise (no debt, a debt outside every group, or debts in two
//!                         groups: the least favourable entry, no e-mode)
//! a deposit position in a market of group G is weighted
//!     init  = max(init_in_force,  init_e)
//!     maint = max(maint_in_force, maint_e on its ramp)
//! everything else (any other collateral, every debt, every borrow weight) is weighted as always
//! bounds: init_e <= maint_e <= 100 %, (1 + max_bonus) * maint_e < 100 % (a liquidation still
//!         improves health); weights set to 0 with group 0
//! ```
//! Why automatic rather than opt-in (Kamino's elevation groups, Aave's e-mode category): an
//! account never has to leave a mode before borrowing something else, and nothing can be stuck
//! in one. A borrow outside the group simply drops the account back to the ordinary weights, and
//! the borrow's own initial check is made on those, so the drop can never leave it short. A
//! repay or a liquidation can only turn e-mode on (they only remove debt): a liquidation keeps the
//! group it priced the account with for its post-conditions (risk/account_health.rs).
use super::health::RiskWeights;
use anchor_lang::prelude::*;

/// A market's e-mode membership and weights.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct EmodeConfig {
    /// The group (0: none).
    pub group: u8,
    /// Initial collateral weight inside the group, bps.
    pub init_asset_weight_bps: u16,
    /// Maintenance collateral weight inside the group, bps.
    pub maint_asset_weight_bps: u16,
}

impl EmodeConfig {
    /// True when the market belongs to a group.
    pub fn is_set(&self) -> bool {
        self.group != 0
    }
}

/// The collateral weights of a position inside its group: the larger of those in force and the
/// group's (`maint_e` the group's maintenance weight in force, on its ramp).
pub fn elevated(in_force: RiskWeights, init_e: u16, maint_e: u16) -> RiskWeights {
    RiskWeights {
        init_asset_weight_bps: in_force.init_asset_weight_bps.max(init_e),
        maint_asset_weight_bps: in_force.maint_asset_weight_bps.max(maint_e),
        ..in_force
    }
}

/// The account's group from its positions' (group, has debt) pairs: `Some(g)` when it has debt
/// and all of it is in markets of group `g != 0`.
pub fn active_group(positions: impl IntoIterator<Item = (u8, bool)>) -> Option<u8> {
    let mut found: Option<u8> = None;
    for (group, has_debt) in positions {
        if !has_debt {
            continue;
        }
        if group == 0 || found.is_some_and(|g| g != group) {
            return None;
        }
        found = Some(group);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn group_examples() {
        assert_eq!(active_group([]), None, "no positions");
        assert_eq!(active_group([(1, false), (2, false)]), None, "no debt");
        assert_eq!(active_group([(1, true), (1, false)]), Some(1));
        assert_eq!(
            active_group([(1, true), (2, false)]),
            Some(1),
            "collateral elsewhere"
        );
        assert_eq!(active_group([(1, true), (2, true)]), None, "two groups");
        assert_eq!(active_group([(1, true), (0, true)]), None, "debt outside");
        assert_eq!(active_group([(0, true)]), None);
    }

    proptest! {
        /// The group weights only ever raise the collateral weights, never a borrow weight.
        #[test]
        fn elevation_only_raises_collateral_weights(
            ia in 0u16..=10_000, ma in 0u16..=10_000, il in 10_000u16..=20_000,
            ml in 10_000u16..=20_000, ie in 0u16..=10_000, me in 0u16..=10_000,
        ) {
            let w = RiskWeights {
                init_asset_weight_bps: ia,
                maint_asset_weight_bps: ma,
                init_liab_weight_bps: il,
                maint_liab_weight_bps: ml,
            };
            let e = elevated(w, ie, me);
            prop_assert!(e.init_asset_weight_bps >= ia && e.maint_asset_weight_bps >= ma);
            prop_assert_eq!((e.init_liab_weight_bps, e.maint_liab_weight_bps), (il, ml));
        }

        /// A group applies only when every debt is inside it; adding a debt outside the group
        /// (or in another) always removes it.
        #[test]
        fn one_debt_outside_the_group_removes_it(
            groups in proptest::collection::vec((0u8..4, any::<bool>()), 0..10),
            outsider in 0u8..4,
        ) {
            if let Some(g) = active_group(groups.iter().copied()) {
                prop_assert!(g != 0);
                prop_assert!(groups.iter().all(|(k, d)| !d || *k == g));
                prop_assert!(groups.iter().any(|(_, d)| *d));
                if outsider != g {
                    let mut more = groups.clone();
                    more.push((outsider, true));
                    prop_assert_eq!(active_group(more), None);
                }
            } else {
                prop_assert!(
                    groups.iter().all(|(_, d)| !d)
                        || groups.iter().any(|(k, d)| *d && *k == 0)
                        || groups.iter().filter(|(_, d)| *d).map(|(k, _)| k).collect::<std::collections::BTreeSet<_>>().len() > 1
                );
            }
        }
    }
}
