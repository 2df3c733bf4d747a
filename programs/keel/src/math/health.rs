//! The health engine: conservative prices, weighted values, initial and maintenance requirements.
//!
//! ```text
//! value(a, p, e, dec)  = a * p * 10^(e - dec)            USD as a Wad; p a Pyth mantissa, e its exponent
//! maintenance band     = [min(p - conf, bound.low), max(p + conf, bound.high)]
//! initial band         = [min(maint.low, ema - ema_conf), max(maint.high, ema + ema_conf)]
//!                        bound: what a second source adds (oracle/rules.rs); none for one source
//! C_maint = sum value(deposit, band_low_maint)  * w_maint     (the sum rounded down once)
//! D_maint = sum value(debt,    band_high_maint) * bw_maint    (the sum rounded up once)
//! C_init  = sum value(deposit, band_low_init)   * w_init      (an unpriced collateral counts 0)
//! D_init  = sum value(debt,    band_high_init)  * bw_init
//! C_spot, D_spot = the unweighted sums at spot (what liquidations exchange at)
//! HF = C_maint / D_maint   (MAX when there is no debt); liquidatable iff HF < 1
//! borrow and withdraw require C_init >= D_init after the action
//! ```
use super::fixed::{mul_div, mul_u128_u64, wide_mul, Rounding, Wad, WAD};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Largest number of decimals (mint decimals minus price exponent) the engine scales by.
pub const MAX_SCALE_EXPONENT: i32 = 36;

/// Collateral and borrow weights of a market, in basis points.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct RiskWeights {
    /// Collateral weight for opening (borrow, withdraw).
    pub init_asset_weight_bps: u16,
    /// Collateral weight for staying open (liquidation threshold).
    pub maint_asset_weight_bps: u16,
    /// Borrow weight for opening (>= 100%).
    pub init_liab_weight_bps: u16,
    /// Borrow weight for staying open (>= 100%).
    pub maint_liab_weight_bps: u16,
}

/// A validated oracle price: positive mantissa, confidence, EMA and exponent (all one exponent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// Spot price mantissa (> 0).
    pub price: u64,
    /// Spot confidence interval.
    pub conf: u64,
    /// EMA price mantissa (> 0).
    pub ema_price: u64,
    /// EMA confidence interval.
    pub ema_conf: u64,
    /// Decimal exponent of all four.
    pub expo: i32,
    /// A band both requirements' bands must also cover (a second source's view, or a fallback's
    /// haircut: oracle/rules.rs); `None` with one source.
    pub bound: Option<PriceBand>,
}

/// The low and high ends of the price a requirement uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceBand {
    /// Price used for collateral.
    pub low: u64,
    /// Price used for debt.
    pub high: u64,
}

impl OraclePrice {
    /// `[p - conf, p + conf]`, stretched to cover `bound`.
    pub fn maintenance_band(&self) -> PriceBand {
        let low = self.price.saturating_sub(self.conf);
        let high = self.price.saturating_add(self.conf);
        match self.bound {
            None => PriceBand { low, high },
            Some(b) => PriceBand {
                low: low.min(b.low),
                high: high.max(b.high),
            },
        }
    }

    /// The maintenance band widened to the worse of spot and EMA on each side.
    pub fn initial_band(&self) -> PriceBand {
        let m = self.maintenance_band();
        PriceBand {
            low: m.low.min(self.ema_price.saturating_sub(self.ema_conf)),
            high: m.high.max(self.ema_price.saturating_add(self.ema_conf)),
        }
    }
}

/// 10^0 .. 10^36 (`MAX_SCALE_EXPONENT`): a table, not a loop; a `static` (read in place from
/// rodata), not a `const`, which SBF builds copied onto the stack at every call (~80 CU).
static POW10: [u128; 37] = {
    let mut t = [1u128; 37];
    let mut i = 1;
    while i < 37 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// USD value (as a Wad) of `amount` base units of a token with `decimals`, at `price * 10^expo`.
pub fn token_value(
    amount: u64,
    price: u64,
    expo: i32,
    decimals: u8,
    rounding: Rounding,
) -> Result<Wad> {
    // raw = amount * price * 10^(18 + expo - decimals)
    let shift = 18 + expo - decimals as i32;
    require!(
        shift.abs() <= MAX_SCALE_EXPONENT,
        KeelError::OracleExponentOutOfRange
    );
    let power = POW10[shift.unsigned_abs() as usize];
    if let (true, Ok(p)) = (shift >= 0, u64::try_from(power)) {
        // price * 10^shift first when it fits in a word: one widening product less, the same
        // exact value (which then cannot pass 128 bits)
        let scaled_price = wide_mul(price, p);
        if let Ok(unit) = u64::try_from(scaled_price) {
            return Ok(Wad(wide_mul(amount, unit)));
        }
    }
    let product = wide_mul(amount, price); // u64 * u64 fits in u128
    if shift >= 0 {
        let scaled = match u64::try_from(power) {
            Ok(p) => mul_u128_u64(product, p),
            Err(_) => product.checked_mul(power),
        };
        scaled
            .map(Wad)
            .ok_or_else(|| error!(KeelError::MathOverflow))
    } else {
        mul_div(product, 1, power, rounding).map(Wad)
    }
}

/// One position as the health engine sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct PositionHealthInput {
    /// Deposit in base units.
    pub deposit: u64,
    /// Debt in base units.
    pub debt: u64,
    /// Mint decimals.
    pub decimals: u8,
    /// The market's weights.
    pub weights: RiskWeights,
    /// The price, or `None` when the oracle is unusable (only allowed for a position without debt;
    /// its collateral then counts as zero).
    pub price: Option<OraclePrice>,
}

/// Weighted collateral and debt values of an account, for both requirements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct Health {
    /// Weighted collateral, initial requirement.
    pub collateral_init: Wad,
    /// Weighted debt, initial requirement.
    pub debt_init: Wad,
    /// Weighted collateral, maintenance requirement.
    pub collateral_maint: Wad,
    /// Weighted debt, maintenance requirement.
    pub debt_maint: Wad,
    /// Unweighted collateral at the maintenance band's low price.
    pub collateral_value: Wad,
    /// Unweighted debt at the maintenance band's high price.
    pub debt_value: Wad,
    /// Unweighted collateral at spot (the price liquidations exchange at).
    pub collateral_spot: Wad,
    /// Unweighted debt at spot.
    pub debt_spot: Wad,
}

impl Health {
    /// `C_maint / D_maint`, or `Wad::MAX` with no debt.
    pub fn health_factor(&self) -> Result<Wad> {
        if self.debt_maint == Wad::ZERO {
            return Ok(Wad::MAX);
        }
        // a health factor beyond u128 is as good as infinite
        Ok(self
            .collateral_maint
            .div(self.debt_maint, Rounding::Down)
            .unwrap_or(Wad::MAX))
    }

    /// True when the initial requirement holds: `C_init >= D_init`.
    pub fn meets_initial(&self) -> bool {
        self.collateral_init >= self.debt_init
    }

    /// True when `other` has a strictly higher `C_maint - D_maint` than `self`.
    pub fn improved_by(&self, other: &Health) -> bool {
        // compare C1 - D1 < C2 - D2  as  C1 + D2 < C2 + D1 (no signed arithmetic needed)
        let a = self.collateral_maint.0.checked_add(other.debt_maint.0);
        let b = other.collateral_maint.0.checked_add(self.debt_maint.0);
        match (a, b) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        }
    }

    /// True when the account can be liquidated: `C_maint < D_maint`.
    pub fn is_liquidatable(&self) -> bool {
        self.collateral_maint < self.debt_maint
    }
}

pub use super::health_sums::{compute_health, compute_health_parts, HealthParts, HealthSums};

/// One whole health factor.
pub const HEALTH_ONE: Wad = Wad(WAD);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weights() -> RiskWeights {
        RiskWeights {
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 8_500,
            init_liab_weight_bps: 11_000,
            maint_liab_weight_bps: 10_500,
        }
    }

    fn price(p: u64, conf: u64, ema: u64) -> OraclePrice {
        OraclePrice {
            price: p,
            conf,
            ema_price: ema,
            ema_conf: conf,
            expo: -8,
            bound: None,
        }
    }

    #[test]
    fn value_scaling() {
        // 1.5 tokens of 6 decimals at $2.00 (expo -8) = $3
        let v = token_value(1_500_000, 200_000_000, -8, 6, Rounding::Down).unwrap();
        assert_eq!(v, Wad::from_int(3));
        // 1 base unit of a 9-decimal token at $0.0000001 rounds to 0 down, 1 raw unit up
        assert_eq!(token_value(1, 10, -8, 9, Rounding::Down).unwrap(), Wad(100));
    }

    #[test]
    fn initial_uses_worse_of_spot_and_ema() {
        let p = price(100, 1, 90);
        assert_eq!(p.initial_band(), PriceBand { low: 89, high: 101 });
        assert_eq!(p.maintenance_band(), PriceBand { low: 99, high: 101 });
    }

    #[test]
    fn debt_needs_a_price() {
        let pos = PositionHealthInput {
            deposit: 0,
            debt: 1,
            decimals: 6,
            weights: weights(),
            price: None,
        };
        assert!(compute_health(&[pos]).is_err());
    }

    fn account(coll: u64, debt: u64, coll_price: u64, debt_price: u64) -> [PositionHealthInput; 2] {
        [
            PositionHealthInput {
                deposit: coll,
                debt: 0,
                decimals: 9,
                weights: weights(),
                price: Some(price(coll_price, coll_price / 200, coll_price)),
            },
            PositionHealthInput {
                deposit: 0,
                debt,
                decimals: 6,
                weights: weights(),
                price: Some(price(debt_price, debt_price / 1000, debt_price)),
            },
        ]
    }

    proptest! {
        /// A value is amount * price * 10^(18 + expo - decimals) exactly (rounded as asked when
        /// the shift divides), or refused: past 128 bits, or past the table of powers.
        #[test]
        fn token_value_is_exact(
            amount in any::<u64>(), price in any::<u64>(), small in any::<(u32, u32)>(),
            expo in -40i32..12, decimals in 0u8..=24, up in any::<bool>(),
        ) {
            use ethnum::U256;
            let rounding = if up { Rounding::Up } else { Rounding::Down };
            // small amounts and prices too, where the fast paths apply
            for (amount, price) in [(amount, price), (small.0 as u64, small.1 as u64), (amount, small.1 as u64)] {
                let shift = 18 + expo - decimals as i32;
                let got = token_value(amount, price, expo, decimals, rounding);
                if shift.abs() > MAX_SCALE_EXPONENT {
                    prop_assert!(got.is_err());
                    continue;
                }
                let product = U256::from(amount) * U256::from(price);
                let power = U256::from(10u8).pow(shift.unsigned_abs());
                let exact = if shift >= 0 {
                    Some(product * power)
                } else {
                    let q = product / power;
                    Some(if up && q * power != product { q + U256::ONE } else { q })
                };
                match exact.and_then(|v| u128::try_from(v).ok()) {
                    Some(v) => prop_assert_eq!(got.unwrap(), Wad(v)),
                    None => prop_assert!(got.is_err()),
                }
            }
        }

        /// More collateral or less debt never lowers health; a lower collateral price never raises it.
        #[test]
        fn health_is_monotone(coll in 1u64..1_000_000_000_000, debt in 1u64..1_000_000_000_000,
                              more in 0u64..1_000_000_000, less in 0u64..1_000_000_000,
                              p in 1_000u64..1_000_000_000_000, drop in 0u64..1_000) {
            let base = compute_health(&account(coll, debt, p, 100_000_000)).unwrap();
            let richer = compute_health(&account(coll + more, debt, p, 100_000_000)).unwrap();
            let lighter = compute_health(&account(coll, debt - less.min(debt - 1), p, 100_000_000)).unwrap();
            let cheaper = compute_health(&account(coll, debt, p - p * drop / 1_000, 100_000_000)).unwrap();
            let hf = base.health_factor().unwrap();
            prop_assert!(richer.health_factor().unwrap() >= hf);
            prop_assert!(lighter.health_factor().unwrap() >= hf);
            prop_assert!(cheaper.health_factor().unwrap() <= hf);
            // the initial requirement is never looser than maintenance
            prop_assert!(base.collateral_init <= base.collateral_maint);
            prop_assert!(base.debt_init >= base.debt_maint);
        }
    }
}
