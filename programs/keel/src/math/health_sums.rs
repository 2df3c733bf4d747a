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
#[derive(Clone, Copy, Debug, Default)]
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
        if parts.maintenance {
            let v = value(price.maintenance_band().low)?;
            self.collateral_value = self.collateral_value.try_add(v)?;
            self.collateral_maint_bps =
                add_weighted(self.collateral_maint_bps, v, w.maint_asset_weight_bps)?;
        }
        if parts.spot {
            self.collateral_spot = self.collateral_spot.try_add(value(price.price)?)?;
        }
        if parts.initial {
            let v = value(price.initial_band().low)?;
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
        if parts.maintenance {
            let v = value(price.maintenance_band().high)?;
            self.debt_value = self.debt_value.try_add(v)?;
            self.debt_maint_bps = add_weighted(self.debt_maint_bps, v, w.maint_liab_weight_bps)?;
        }
        if parts.spot {
            self.debt_spot = self.debt_spot.try_add(value(price.price)?)?;
        }
        if parts.initial {
            let v = value(price.initial_band().high)?;
            self.debt_init_bps = add_weighted(self.debt_init_bps, v, w.init_liab_weight_bps)?;
        }
        Ok(())
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
