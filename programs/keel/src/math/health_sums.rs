//! Summing an account's position values into its [`Health`]: which parts an instruction needs,
//! and the running sums, each weighted sum divided by 10,000 once at the end (collateral rounded
//! down, debt up): one division per sum instead of one per position.
use super::fixed::{mul_div, mul_u128_u64, Rounding, Wad};
use super::health::{token_value, Health, OraclePrice, PositionHealthInput, RiskWeights};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Sum the weighted values of every position. A position with debt must carry a price.
pub fn compute_health(positions: &[PositionHealthInput]) -> Result<Health> {
    compute_health_parts(positions, HealthParts::ALL)
}

/// The `parts` of [`compute_health`] (the rest stay zero). An instruction's priced account adds
/// its positions to the same [`HealthSums`] (risk/account_health.rs), so the client and the
/// program cannot disagree.
pub fn compute_health_parts<'a>(
    positions: impl IntoIterator<Item = &'a PositionHealthInput>,
    parts: HealthParts,
) -> Result<Health> {
    let mut sums = HealthSums::default();
    for p in positions {
        sums.add(p, parts)?;
    }
    sums.finish()
}

/// Which parts of [`Health`] to compute (the rest stay zero): borrow and withdraw need only the
/// initial requirement, the health report the initial and maintenance sides, liquidation the
/// maintenance side and the spot sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthParts {
    /// `collateral_init`, `debt_init`.
    pub initial: bool,
    /// `collateral_maint`, `debt_maint`, `collateral_value`, `debt_value`.
    pub maintenance: bool,
    /// `collateral_spot`, `debt_spot` (the bonus cap of a liquidation).
    pub spot: bool,
}

impl HealthParts {
    /// Everything.
    pub const ALL: HealthParts = HealthParts {
        initial: true,
        maintenance: true,
        spot: true,
    };
}

/// Running sums of an account's values. The weighted sums are kept as `value * weight_bps` and
/// divided by 10,000 once, at the end, each in its direction (collateral down, debt up): one
/// division per sum instead of one per position (a 128-bit division is costly on SBF), and a
/// rounding of the exact total rather than a sum of roundings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthSums {
    collateral_init_bps: u128,
    debt_init_bps: u128,
    collateral_maint_bps: u128,
    debt_maint_bps: u128,
    collateral_value: Wad,
    debt_value: Wad,
    collateral_spot: Wad,
    debt_spot: Wad,
}

fn add_weighted(sum: u128, value: Wad, weight_bps: u16) -> Result<u128> {
    mul_u128_u64(value.0, weight_bps as u64)
        .and_then(|v| sum.checked_add(v))
        .ok_or_else(|| error!(KeelError::MathOverflow))
}

impl HealthSums {
    /// Add the `parts` of one position's values.
    pub fn add(&mut self, p: &PositionHealthInput, parts: HealthParts) -> Result<()> {
        self.add_weighted(p, &p.weights, parts)
    }

    /// Add the `parts` of one position's values, weighted with `w` instead of its own weights
    /// (an account's e-mode group: risk/account_health.rs).
    pub fn add_weighted(
        &mut self,
        p: &PositionHealthInput,
        w: &RiskWeights,
        parts: HealthParts,
    ) -> Result<()> {
        let Some(price) = &p.price else {
            require!(p.debt == 0, KeelError::OracleStale);
            return Ok(());
        };
        if p.deposit > 0 {
            self.add_collateral(p, w, price, parts)?;
        }
        if p.debt > 0 {
            self.add_debt(p, w, price, parts)?;
        }
        Ok(())
    }

    // each side in its own frame: the SBF stack frame is 4 KiB
    #[inline(never)]
    fn add_collateral(
        &mut self,
        p: &PositionHealthInput,
        w: &RiskWeights,
        price: &OraclePrice,
        parts: HealthParts,
    ) -> Result<()> {
        let value = |at: u64| token_value(p.deposit, at, price.expo, p.decimals, Rounding::Down);
        // the initial band's low end is the maintenance band's unless the EMA's reaches lower:
        // then the same value, computed once
        let low = price.maintenance_band().low;
        let mut at_low = None;
        if parts.maintenance {
            let v = value(low)?;
            self.collateral_value = self.collateral_value.try_add(v)?;
            self.collateral_maint_bps =
                add_weighted(self.collateral_maint_bps, v, w.maint_asset_weight_bps)?;
            at_low = Some(v);
        }
        if parts.spot {
            self.collateral_spot = self.collateral_spot.try_add(value(price.price)?)?;
        }
        if parts.initial {
            let init_low = price.initial_band().low;
            let v = match at_low {
                Some(v) if init_low == low => v,
                _ => value(init_low)?,
            };
            self.collateral_init_bps =
                add_weighted(self.collateral_init_bps, v, w.init_asset_weight_bps)?;
        }
        Ok(())
    }

    #[inline(never)]
    fn add_debt(
        &mut self,
        p: &PositionHealthInput,
        w: &RiskWeights,
        price: &OraclePrice,
        parts: HealthParts,
    ) -> Result<()> {
        let value = |at: u64| token_value(p.debt, at, price.expo, p.decimals, Rounding::Up);
        // the initial band's high end is the maintenance band's unless the EMA's reaches higher
        let high = price.maintenance_band().high;
        let mut at_high = None;
        if parts.maintenance {
            let v = value(high)?;
            self.debt_value = self.debt_value.try_add(v)?;
            self.debt_maint_bps = add_weighted(self.debt_maint_bps, v, w.maint_liab_weight_bps)?;
            at_high = Some(v);
        }
        if parts.spot {
            self.debt_spot = self.debt_spot.try_add(value(price.price)?)?;
        }
        if parts.initial {
            let init_high = price.initial_band().high;
            let v = match at_high {
                Some(v) if init_high == high => v,
                _ => value(init_high)?,
            };
            self.debt_init_bps = add_weighted(self.debt_init_bps, v, w.init_liab_weight_bps)?;
        }
        Ok(())
    }

    /// These sums with the terms of `old` replaced by those of `new`: the sums after some
    /// positions changed, from the sums before and the changed positions' terms alone. Exact:
    /// every field is a sum of non-negative per-position terms, so the result is the sum a
    /// recomputation over every position gives, and it overflows exactly when that sum does
    /// (`MathOverflow`). `old` must be terms of these sums.
    pub fn replace(&self, old: &HealthSums, new: &HealthSums) -> Result<HealthSums> {
        let swap = |sum: u128, out: u128, inn: u128| sum.checked_sub(out)?.checked_add(inn);
        let wad = |sum: Wad, out: Wad, inn: Wad| swap(sum.0, out.0, inn.0).map(Wad);
        let (s, o, n) = (self, old, new);
        let replaced = || {
            Some(HealthSums {
                collateral_init_bps: swap(
                    s.collateral_init_bps,
                    o.collateral_init_bps,
                    n.collateral_init_bps,
                )?,
                debt_init_bps: swap(s.debt_init_bps, o.debt_init_bps, n.debt_init_bps)?,
                collateral_maint_bps: swap(
                    s.collateral_maint_bps,
                    o.collateral_maint_bps,
                    n.collateral_maint_bps,
                )?,
                debt_maint_bps: swap(s.debt_maint_bps, o.debt_maint_bps, n.debt_maint_bps)?,
                collateral_value: wad(s.collateral_value, o.collateral_value, n.collateral_value)?,
                debt_value: wad(s.debt_value, o.debt_value, n.debt_value)?,
                collateral_spot: wad(s.collateral_spot, o.collateral_spot, n.collateral_spot)?,
                debt_spot: wad(s.debt_spot, o.debt_spot, n.debt_spot)?,
            })
        };
        replaced().ok_or_else(|| error!(KeelError::MathOverflow))
    }

    /// The health: each weighted sum divided by 10,000 once (collateral down, debt up).
    pub fn finish(&self) -> Result<Health> {
        let down = |x: u128| mul_div(x, 1, 10_000, Rounding::Down).map(Wad);
        let up = |x: u128| mul_div(x, 1, 10_000, Rounding::Up).map(Wad);
        Ok(Health {
            collateral_init: down(self.collateral_init_bps)?,
            debt_init: up(self.debt_init_bps)?,
            collateral_maint: down(self.collateral_maint_bps)?,
            debt_maint: up(self.debt_maint_bps)?,
            collateral_value: self.collateral_value,
            debt_value: self.debt_value,
            collateral_spot: self.collateral_spot,
            debt_spot: self.debt_spot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn position(deposit: u64, debt: u64, price: u64, conf: u64) -> PositionHealthInput {
        PositionHealthInput {
            deposit,
            debt,
            decimals: 6,
            weights: RiskWeights {
                init_asset_weight_bps: 8_000,
                maint_asset_weight_bps: 8_500,
                init_liab_weight_bps: 11_000,
                maint_liab_weight_bps: 10_500,
            },
            price: Some(OraclePrice {
                price,
                conf,
                ema_price: price,
                ema_conf: conf,
                expo: -8,
                bound: None,
            }),
        }
    }

    fn sums(positions: &[PositionHealthInput]) -> Result<HealthSums> {
        let mut s = HealthSums::default();
        for p in positions {
            s.add(p, HealthParts::ALL)?;
        }
        Ok(s)
    }

    proptest! {
        /// Replacing two positions' terms in the sums gives exactly the health a recomputation
        /// over every position gives (liquidation's post-state: only its two legs change).
        #[test]
        fn replacing_terms_is_recomputing(
            book in proptest::collection::vec(
                (0u64..1_000_000_000_000, 0u64..1_000_000_000_000, 1u64..10_000_000_000, 0u64..1_000_000),
                2..17,
            ),
            (i, j) in (0usize..16, 0usize..16),
            (less_debt, less_deposit) in (any::<u64>(), any::<u64>()),
        ) {
            let mut positions: Vec<_> = book.iter().map(|&(d, b, p, c)| position(d, b, p, c)).collect();
            // two distinct positions, as a liquidation's repay and seize legs
            let i = i % positions.len();
            let j = (i + 1 + j % (positions.len() - 1)) % positions.len();
            let before = sums(&positions).unwrap();
            let old = sums(&[positions[i], positions[j]]).unwrap();
            positions[i].debt -= less_debt % (positions[i].debt + 1);
            positions[j].deposit -= less_deposit % (positions[j].deposit + 1);
            let new = sums(&[positions[i], positions[j]]).unwrap();
            let replaced = before.replace(&old, &new).unwrap().finish().unwrap();
            prop_assert_eq!(replaced, sums(&positions).unwrap().finish().unwrap());
        }
    }
}
