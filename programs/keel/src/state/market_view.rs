//! `MarketView`: what pricing a position reads of its market, read in place. Health, borrowing,
//! withdrawing and liquidation price every position of an account, each from its market; copying
//! each market out of its account (`MarketPricing`, ~400 bytes) cost about as much as pricing it.
//! A view reads each field where it lies, when it is needed: in the account's data at the offsets
//! of its Borsh layout (state/market_pricing.rs, pinned by a test), or in the instruction's own
//! `Market` when it holds one (it may have changed in memory this instruction).
use crate::errors::KeelError;
use crate::math::emode::EmodeConfig;
use crate::math::fixed::Wad;
use crate::math::health::RiskWeights;
use crate::math::interest::Accrual;
use crate::math::weight_ramp::WeightRamp;
use crate::state::market_pricing::{self as layout, bytes, projected_accrual_with};
use crate::state::{Market, OracleConfig, OracleGuard, SecondaryOracle};
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

/// A market account's data, as much of it as pricing reads.
type Data = [u8; layout::END];

/// A market as pricing reads it.
#[derive(Clone, Copy)]
pub enum MarketView<'a> {
    /// The instruction's own market.
    Loaded(&'a Market),
    /// A market account's data (discriminator and size checked).
    Account(&'a Data),
}

impl<'a> MarketView<'a> {
    /// A view of a market account's data: refused (`RemainingAccountMismatch`) unless it is a
    /// `Market`'s (discriminator and size), as `MarketPricing::from_data`.
    pub fn of_data(data: &'a [u8]) -> Result<MarketView<'a>> {
        require!(
            data.len() >= layout::END && data[..8] == *Market::DISCRIMINATOR,
            KeelError::RemainingAccountMismatch
        );
        let data: &Data = data[..layout::END]
            .try_into()
            .map_err(|_| error!(KeelError::RemainingAccountMismatch))?;
        Ok(MarketView::Account(data))
    }

    fn config(d: &Data) -> &[u8] {
        &d[layout::CONFIG..layout::DEPOSIT_INDEX]
    }

    fn ramp(&self) -> WeightRamp {
        match self {
            MarketView::Loaded(m) => m.maint_ramp,
            MarketView::Account(d) => layout::ramp_at(&d[layout::MAINT_RAMP..]),
        }
    }

    /// Its pool.
    pub fn pool(&self) -> Pubkey {
        match self {
            MarketView::Loaded(m) => m.pool,
            MarketView::Account(d) => Pubkey::new_from_array(bytes(&d[..], layout::POOL)),
        }
    }

    /// Mint decimals.
    pub fn decimals(&self) -> u8 {
        match self {
            MarketView::Loaded(m) => m.decimals,
            MarketView::Account(d) => d[layout::DECIMALS],
        }
    }

    /// Sum of all positions' deposit shares.
    pub fn total_deposit_shares(&self) -> u128 {
        match self {
            MarketView::Loaded(m) => m.total_deposit_shares,
            MarketView::Account(d) => {
                u128::from_le_bytes(bytes(&d[..], layout::TOTAL_DEPOSIT_SHARES))
            }
        }
    }

    /// What accruing up to `now` would give (as `Market::projected_accrual`).
    pub fn projected_accrual(&self, now: i64) -> Result<Accrual> {
        let d = match self {
            MarketView::Loaded(m) => return m.projected_accrual(now),
            MarketView::Account(d) => d,
        };
        let u128_at = |at: usize| u128::from_le_bytes(bytes(&d[..], at));
        projected_accrual_with(
            || layout::curve_at(Self::config(d)),
            (
                Wad(u128_at(layout::DEPOSIT_INDEX)),
                Wad(u128_at(layout::BORROW_INDEX)),
            ),
            (
                u128_at(layout::TOTAL_DEPOSIT_SHARES),
                u128_at(layout::TOTAL_BORROW_SHARES),
            ),
            i64::from_le_bytes(bytes(&d[..], layout::LAST_ACCRUAL_TS)),
            now,
        )
    }

    /// The weights in force at `now` (as `Market::weights_at`).
    pub fn weights_at(&self, now: i64) -> RiskWeights {
        match self {
            MarketView::Loaded(m) => m.weights_at(now),
            MarketView::Account(d) => self
                .ramp()
                .effective(&layout::weights_at(Self::config(d)), now),
        }
    }

    /// The e-mode group and its weights.
    pub fn emode(&self) -> EmodeConfig {
        match self {
            MarketView::Loaded(m) => m.config.emode,
            MarketView::Account(d) => layout::emode_at(Self::config(d)),
        }
    }

    /// The e-mode maintenance weight in force at `now` (as `Market::emode_maint_at`).
    pub fn emode_maint_at(&self, now: i64) -> u16 {
        self.ramp()
            .emode_maint(self.emode().maint_asset_weight_bps, now)
    }

    /// The configured oracle limits (borrowing, withdrawing).
    pub fn oracle(&self) -> OracleConfig {
        match self {
            MarketView::Loaded(m) => m.config.oracle,
            MarketView::Account(d) => layout::oracle_at(Self::config(d)),
        }
    }

    /// The oracle limits of maintenance at `now` (as `Market::maintenance_oracle_at`).
    pub fn maintenance_oracle_at(&self, now: i64) -> OracleConfig {
        self.ramp().oracle_limits(&self.oracle(), now)
    }

    /// The second source (unset: none).
    pub fn secondary(&self) -> SecondaryOracle {
        match self {
            MarketView::Loaded(m) => m.config.secondary,
            MarketView::Account(d) => layout::secondary_at(Self::config(d)),
        }
    }

    /// How the sources combine and volatility widens the initial requirement.
    pub fn guard(&self) -> OracleGuard {
        match self {
            MarketView::Loaded(m) => m.config.guard,
            MarketView::Account(d) => layout::guard_at(Self::config(d)),
        }
    }

    /// The size-aware limit on the market's deposits, whole USD (0: none).
    pub fn init_value_limit_usd(&self) -> u64 {
        match self {
            MarketView::Loaded(m) => m.config.init_value_limit_usd,
            MarketView::Account(d) => layout::init_value_limit_at(Self::config(d)),
        }
    }

    /// The newest publish times the market has used: the primary's and the second source's.
    pub fn last_publish_times(&self) -> (i64, i64) {
        match self {
            MarketView::Loaded(m) => (m.last_publish_time, m.last_secondary_publish_time),
            MarketView::Account(d) => (
                i64::from_le_bytes(bytes(&d[..], layout::LAST_PUBLISH_TIME)),
                i64::from_le_bytes(bytes(&d[..], layout::LAST_SECONDARY_PUBLISH_TIME)),
            ),
        }
    }
}
