//! `Market`: one token in one pool: its vault, oracle, risk parameters, interest model and books.
//!
//! ```text
//! total deposits (tokens) = total_deposit_shares * deposit_index     (floor)
//! total debt (tokens)     = total_borrow_shares  * borrow_index      (ceil)
//! books: vault balance (+ a flash loan's principal while one is out, state/flash_loan.rs)
//!        >= total deposits - total debt + insurance fund                  (invariant 1)
//! ```
// The Borsh deserializer `#[account]` derives for `Market` measures just above the 4 KiB threshold
// in host MIR, which sums every field's temporary `Result` without reusing slots; markets are
// always read into a `Box` (heap), and the SBF build's real frames are what counts (see the notes).
#![allow(clippy::large_stack_frames)]
use crate::constants::*;
use crate::errors::KeelError;
use crate::math::emode::EmodeConfig;
use crate::math::fixed::{Rounding, Wad};
use crate::math::health::RiskWeights;
use crate::math::interest::{shares_value, Accrual, InterestCurve};
use crate::math::liquidation::BonusConfig;
use crate::math::rate_limit::{OutflowLimit, OutflowWindow};
use crate::math::weight_ramp::WeightRamp;
use anchor_lang::prelude::*;

pub use super::flash_loan::FlashLoan;
pub use super::oracle_config::{OracleConfig, OracleGuard, SecondaryOracle};

impl anchor_lang::Space for Wad {
    const INIT_SPACE: usize = 16;
}

/// Every governance-set parameter of a market.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct MarketConfig {
    /// Oracle feed and limits.
    pub oracle: OracleConfig,
    /// Collateral and borrow weights.
    pub weights: RiskWeights,
    /// Interest curve.
    pub curve: InterestCurve,
    /// Share of interest to the insurance fund, bps.
    pub reserve_factor_bps: u16,
    /// Largest total deposits, in base units.
    pub deposit_cap: u64,
    /// Largest total debt, in base units.
    pub borrow_cap: u64,
    /// Liquidation bonus paid when this market's collateral is seized.
    pub bonus: BonusConfig,
    /// Most that may leave the vault (borrow + withdraw) per window.
    pub outflow: OutflowLimit,
    /// The optional second price source.
    pub secondary: SecondaryOracle,
    /// Divergence, fallback and volatility parameters.
    pub guard: OracleGuard,
    /// Flash-loan fee, bps of the amount lent (to the insurance fund; 0: free).
    pub flash_fee_bps: u16,
    /// Total deposits' value, whole USD, past which the initial collateral weight scales down
    /// (math/size_aware.rs); 0: no limit.
    pub init_value_limit_usd: u64,
    /// E-mode group and its collateral weights (math/emode.rs); group 0: none.
    pub emode: EmodeConfig,
}

impl MarketConfig {
    /// Check every parameter against the protocol's hard bounds.
    pub fn validate(&self) -> Result<()> {
        let w = &self.weights;
        // a collateral that lends must leave a buffer between borrowing and liquidation
        let buffered = |init: u16, maint: u16| {
            init == 0 || init as u32 + MIN_WEIGHT_BUFFER_BPS as u32 <= maint as u32
        };
        require!(
            w.init_asset_weight_bps <= w.maint_asset_weight_bps
                && w.maint_asset_weight_bps <= MAX_ASSET_WEIGHT_BPS
                && buffered(w.init_asset_weight_bps, w.maint_asset_weight_bps),
            KeelError::InvalidAssetWeights
        );
        require!(
            w.maint_liab_weight_bps >= MIN_LIAB_WEIGHT_BPS
                && w.init_liab_weight_bps >= w.maint_liab_weight_bps
                && w.init_liab_weight_bps <= MAX_LIAB_WEIGHT_BPS,
            KeelError::InvalidLiabilityWeights
        );
        let o = &self.oracle;
        require!(
            o.price_account != Pubkey::default(),
            KeelError::OraclePriceAccountMismatch
        );
        require!(
            (MIN_ORACLE_MAX_AGE_SECS..=MAX_ORACLE_MAX_AGE_SECS).contains(&o.max_age_secs),
            KeelError::InvalidOracleMaxAge
        );
        require!(
            (MIN_ORACLE_MAX_CONF_BPS..=MAX_ORACLE_MAX_CONF_BPS).contains(&o.max_conf_bps),
            KeelError::InvalidOracleMaxConfidence
        );
        let s = &self.secondary;
        if s.is_set() {
            require!(
                (MIN_ORACLE_MAX_AGE_SECS..=MAX_ORACLE_MAX_AGE_SECS).contains(&s.max_age_secs),
                KeelError::InvalidOracleMaxAge
            );
            require!(
                (MIN_ORACLE_MAX_CONF_BPS..=MAX_ORACLE_MAX_CONF_BPS).contains(&s.max_conf_bps),
                KeelError::InvalidOracleMaxConfidence
            );
        }
        let g = &self.guard;
        require!(
            g.max_divergence_bps <= MAX_DIVERGENCE_BPS
                && (!s.is_set() || g.max_divergence_bps >= MIN_DIVERGENCE_BPS)
                && g.fallback_haircut_bps <= MAX_FALLBACK_HAIRCUT_BPS
                && g.vol_margin_floor_bps <= MAX_VOL_MARGIN_FLOOR_BPS
                && g.vol_margin_mult_bps <= MAX_VOL_MARGIN_MULT_BPS
                && g.vol_margin_cap_bps <= MAX_VOL_MARGIN_CAP_BPS,
            KeelError::InvalidOracleGuard
        );
        let c = &self.curve;
        require!(
            (MIN_OPTIMAL_UTIL_BPS..=MAX_OPTIMAL_UTIL_BPS).contains(&c.optimal_util_bps)
                && c.base_rate_bps <= MAX_RATE_BPS
                && c.slope1_bps <= MAX_RATE_BPS
                && c.slope2_bps <= MAX_RATE_BPS,
            KeelError::InvalidInterestCurve
        );
        require!(
            self.reserve_factor_bps <= MAX_RESERVE_FACTOR_BPS,
            KeelError::InvalidReserveFactor
        );
        let b = &self.bonus;
        // every liquidation health-improving, splitting never paying (max_maint_asset_weight_bps),
        // and a minimum bonus: an insolvent account pays it (math/liquidation/bonus.rs), so it
        // is what gets such an account liquidated at all
        let max_maint = max_maint_asset_weight_bps(b);
        require!(
            b.min_bonus_bps >= MIN_BONUS_BPS
                && b.min_bonus_bps <= b.max_bonus_bps
                && b.max_bonus_bps <= MAX_BONUS_BPS
                && b.protocol_fee_bps <= MAX_PROTOCOL_FEE_BPS
                && w.maint_asset_weight_bps <= max_maint,
            KeelError::InvalidBonusConfig
        );
        let e = &self.emode;
        require!(
            e.init_asset_weight_bps <= e.maint_asset_weight_bps
                && e.maint_asset_weight_bps <= MAX_ASSET_WEIGHT_BPS
                && e.maint_asset_weight_bps <= max_maint
                && buffered(e.init_asset_weight_bps, e.maint_asset_weight_bps)
                && (e.is_set() || e.maint_asset_weight_bps == 0),
            KeelError::InvalidEmode
        );
        require!(
            self.flash_fee_bps <= MAX_FLASH_FEE_BPS,
            KeelError::InvalidFlashFee
        );
        let o = &self.outflow;
        require!(
            o.max_outflow > 0
                && (MIN_OUTFLOW_WINDOW_SECS..=MAX_OUTFLOW_WINDOW_SECS).contains(&o.window_secs),
            KeelError::InvalidOutflowLimit
        );
        Ok(())
    }
}

/// One token in one pool.
#[account]
#[derive(InitSpace, Debug)]
pub struct Market {
    /// The pool this market belongs to.
    pub pool: Pubkey,
    /// Token mint.
    pub mint: Pubkey,
    /// Token program owning the mint (SPL Token or Token-2022).
    pub token_program: Pubkey,
    /// PDA token account holding the market's tokens; its authority is this market.
    pub vault: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Market PDA bump.
    pub bump: u8,
    /// Vault PDA bump.
    pub vault_bump: u8,
    /// Governance-set parameters.
    pub config: MarketConfig,
    /// Tokens per deposit share.
    pub deposit_index: Wad,
    /// Tokens per borrow share.
    pub borrow_index: Wad,
    /// Sum of all positions' deposit shares.
    pub total_deposit_shares: u128,
    /// Sum of all positions' borrow shares.
    pub total_borrow_shares: u128,
    /// Protocol's share of interest (and, later, of liquidation bonuses), in tokens held in the vault.
    pub insurance_fund: Wad,
    /// Cumulative bad debt socialised to lenders (the only thing that may lower the deposit index).
    pub bad_debt_socialised: Wad,
    /// Unix time of the last accrual.
    pub last_accrual_ts: i64,
    /// Listing takes effect at this time (listing a market is a loosening: behind the timelock).
    pub active_after: i64,
    /// Outflow-limit buckets.
    pub outflow: OutflowWindow,
    /// Newest oracle publish time this market has used; older updates are refused.
    pub last_publish_time: i64,
    /// A maintenance-weight or oracle-limit tightening in progress (math/weight_ramp.rs).
    pub maint_ramp: WeightRamp,
    /// Bumped by every configuration change: a queued change records it and executes only while
    /// it stands (governance/change_base.rs).
    pub config_version: u64,
    /// Newest publish time of the second source this market has used; older updates are refused.
    pub last_secondary_publish_time: i64,
    /// The flash loan out within the current transaction (none between transactions).
    pub flash_loan: FlashLoan,
    /// Tokens of debt here booked as insolvent accounts' expected loss, not yet written off (the
    /// sum of the positions' `provisioned`): withdrawals pay at the index marked down by what the
    /// insurance fund does not cover (math/provision.rs, risk/provision.rs).
    pub provisioned: u64,
}

/// Largest maintenance collateral weight at which a liquidation at `bonus`'s max still improves
/// health, `(1 + max_bonus) * w < 100 %` (bps): what a weight *in force* must not exceed (a ramp
/// starts no higher). Not the listing bound below: capping a ramp's start at that stricter bound
/// would cut a weight at once (attack review, issue 27: the guardian could, on a market listed
/// before the bound).
pub fn max_health_improving_weight_bps(bonus: &BonusConfig) -> u16 {
    let cap = (10_000u64 * 10_000 - 1) / (10_000 + bonus.max_bonus_bps as u64);
    cap.min(MAX_ASSET_WEIGHT_BPS as u64) as u16
}

/// Largest maintenance collateral weight a market with `bonus` may have (bps), ordinary or
/// e-mode:
/// ```text
/// (1 + max_bonus) * w <  100 %                              a liquidation improves health
/// (1 + max_bonus) * w <= 100 % - (max_bonus - min_bonus)    Aave v4's rule: splitting a
///                                                           liquidation to climb the bonus
///                                                           schedule never pays (issue 27)
/// ```
/// Rounded down. Before, only the first held: 99.99 % with a 0 % bonus was a valid listing.
pub fn max_maint_asset_weight_bps(bonus: &BonusConfig) -> u16 {
    let max = bonus.max_bonus_bps as u64;
    let spread = max.saturating_sub(bonus.min_bonus_bps as u64).min(10_000);
    let no_split_gain = (10_000 - spread) * 10_000 / (10_000 + max);
    (no_split_gain.min(u16::MAX as u64) as u16).min(max_health_improving_weight_bps(bonus))
}

impl Market {
    /// Signer seeds of the market PDA (the vault's authority).
    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [
            MARKET_SEED,
            self.pool.as_ref(),
            self.mint.as_ref(),
            std::slice::from_ref(&self.bump),
        ]
    }

    /// Total deposits as an exact Wad of tokens.
    pub fn total_deposits(&self) -> Result<Wad> {
        shares_value(self.total_deposit_shares, self.deposit_index)
    }

    /// Total debt as an exact Wad of tokens.
    pub fn total_debt(&self) -> Result<Wad> {
        shares_value(self.total_borrow_shares, self.borrow_index)
    }

    /// What accruing up to `now` would give, without changing the market.
    pub fn projected_accrual(&self, now: i64) -> Result<Accrual> {
        crate::state::market_pricing::projected_accrual(
            &self.config,
            (self.deposit_index, self.borrow_index),
            (self.total_deposit_shares, self.total_borrow_shares),
            self.last_accrual_ts,
            now,
        )
    }

    /// Accrue interest up to `now`; returns the step taken (zero interest when nothing changed).
    pub fn accrue_to(&mut self, now: i64) -> Result<Accrual> {
        let step = self.projected_accrual(now)?;
        self.borrow_index = step.borrow_index;
        self.deposit_index = step.deposit_index;
        self.insurance_fund = self.insurance_fund.try_add(step.protocol_fee)?;
        if now > self.last_accrual_ts {
            self.last_accrual_ts = now;
        }
        Ok(step)
    }

    /// Total deposits in base units (rounded down).
    pub fn total_deposits_u64(&self) -> Result<u64> {
        self.total_deposits()?.to_u64(Rounding::Down)
    }

    /// Total debt in base units (rounded up).
    pub fn total_debt_u64(&self) -> Result<u64> {
        self.total_debt()?.to_u64(Rounding::Up)
    }

    /// The weights in force at `now`: the configured ones, maintenance weights on their ramp.
    pub fn weights_at(&self, now: i64) -> RiskWeights {
        self.maint_ramp.effective(&self.config.weights, now)
    }

    /// The e-mode maintenance collateral weight in force at `now` (on the ramp).
    pub fn emode_maint_at(&self, now: i64) -> u16 {
        self.maint_ramp
            .emode_maint(self.config.emode.maint_asset_weight_bps, now)
    }

    /// The oracle limits health and liquidation apply at `now`: while a tightening ramps, the
    /// looser of the old and the new max age and confidence (a tighter oracle limit must not make
    /// collateral count zero at once); borrowing uses the configured ones.
    pub fn maintenance_oracle_at(&self, now: i64) -> OracleConfig {
        self.maint_ramp.oracle_limits(&self.config.oracle, now)
    }

    /// Replace the configuration at `now`: a tighter maintenance weight ramps from the one in
    /// force over `MAINT_WEIGHT_RAMP_SECS`; everything else applies at once. A new outflow limit
    /// takes the bucket as it stands now (drained under the old limit) and holds it to the new
    /// maximum: no rate applies backwards, and no past outflow blocks exits for longer than the
    /// new limit's own window (whether the change was immediate or timelocked).
    pub fn set_config(&mut self, config: MarketConfig, now: i64) -> Result<()> {
        if config.outflow != self.config.outflow {
            let old = self.config.outflow;
            self.outflow.drain(&old, now)?;
            self.outflow.level = self.outflow.level.min(config.outflow.max_outflow as i128);
        }
        let unchanged = config.weights.maint_asset_weight_bps
            == self.config.weights.maint_asset_weight_bps
            && config.weights.maint_liab_weight_bps == self.config.weights.maint_liab_weight_bps
            && config.oracle.max_age_secs == self.config.oracle.max_age_secs
            && config.oracle.max_conf_bps == self.config.oracle.max_conf_bps
            && config.emode == self.config.emode
            // a new bonus moves the weights' bound (max_maint_asset_weight_bps): a ramp in
            // progress must restart under it (attack review, issue 27)
            && config.bonus == self.config.bonus;
        if !unchanged {
            // a ramp in progress toward the same maintenance targets keeps its course
            let current = self.weights_at(now);
            let oracle = self.maintenance_oracle_at(now);
            // a new group starts at its own weights: the old group's are not its
            let emode = match config.emode.group == self.config.emode.group {
                true => self.emode_maint_at(now),
                false => config.emode.maint_asset_weight_bps,
            };
            self.maint_ramp = WeightRamp::retarget(
                (&current, &oracle),
                (&config.weights, &config.oracle),
                (emode, config.emode.maint_asset_weight_bps),
                max_health_improving_weight_bps(&config.bonus),
                now,
                MAINT_WEIGHT_RAMP_SECS,
            );
        }
        if config.secondary.feed != self.config.secondary.feed {
            // a new feed's updates are not comparable with the old one's
            self.last_secondary_publish_time = 0;
        }
        if config.oracle.price_account != self.config.oracle.price_account
            || config.oracle.feed_id != self.config.oracle.feed_id
        {
            // likewise for a new Pyth account or feed (issue 26: it was held to the old one's)
            self.last_publish_time = 0;
        }
        self.config = config;
        self.config_version = self.config_version.wrapping_add(1);
        Ok(())
    }

    /// Remember the publish times used, per source (the newest one wins; 0: unused).
    pub fn record_publish_times(&mut self, primary: i64, secondary: i64) {
        self.last_publish_time = self.last_publish_time.max(primary);
        self.last_secondary_publish_time = self.last_secondary_publish_time.max(secondary);
    }

    /// Refuse deposits once bad debt has taken (almost) everything the lenders had: at a deposit
    /// index this low a deposit would mint absurd share counts (or overflow).
    pub fn require_not_wiped_out(&self) -> Result<()> {
        require!(
            self.deposit_index.0 >= MIN_DEPOSIT_INDEX,
            KeelError::MarketWipedOut
        );
        Ok(())
    }

    /// Refuse before the listing's timelock has passed.
    pub fn require_active(&self, now: i64) -> Result<()> {
        require!(now >= self.active_after, KeelError::MarketNotActive);
        Ok(())
    }

    /// Count `amount` against the outflow limit (borrow, withdraw), refusing past it.
    pub fn record_outflow(&mut self, amount: u64, now: i64) -> Result<()> {
        let limit = self.config.outflow;
        self.outflow.record(&limit, amount, now)
    }

    /// Count a liquidation's seizure of `amount`: never refused, it uses up inflow credit
    /// (math/rate_limit.rs).
    pub fn record_exempt_outflow(&mut self, amount: u64, now: i64) -> Result<()> {
        let limit = self.config.outflow;
        self.outflow.record_exempt(&limit, amount, now)
    }

    /// Count `amount` coming in (deposit, repay) against the outflow limit: it nets.
    pub fn record_inflow(&mut self, amount: u64, now: i64) -> Result<()> {
        let limit = self.config.outflow;
        self.outflow.record_inflow(&limit, amount, now)
    }

    /// Tokens per deposit share a withdrawal pays: the deposit index marked down by the
    /// provisioned loss the insurance fund does not cover (math/provision.rs).
    pub fn withdraw_index(&self) -> Result<Wad> {
        let uncovered = Wad::from_int(self.provisioned).saturating_sub(self.insurance_fund);
        crate::math::provision::withdraw_index(
            self.deposit_index,
            self.total_deposits()?,
            uncovered,
        )
    }

    /// True while total debt is within `MAX_BORROW_UTILISATION_BPS` of total deposits: what a
    /// borrow must leave (lenders keep a way out, issue 27 item 4), and a payout of a deposit
    /// made in the same slot (a withdrawal or an order: a flash-loaned deposit cannot lift the
    /// cap and leave).
    #[inline(never)]
    pub fn within_borrow_cap(&self) -> Result<bool> {
        let most = self
            .total_deposits()?
            .mul_bps(MAX_BORROW_UTILISATION_BPS as u64, Rounding::Down)?;
        Ok(self.total_debt()? <= most)
    }

    /// A payout of `paid` tokens for `shares` burnt at a withdraw index below the deposit index:
    /// what the shares were worth at par beyond it joins the insurance fund, which covers the
    /// provisioned loss first (math/provision.rs). Returns that haircut.
    pub fn take_haircut(&mut self, shares: u64, paid: u64, index: Wad) -> Result<Wad> {
        if index >= self.deposit_index {
            return Ok(Wad::ZERO);
        }
        let haircut =
            shares_value(shares as u128, self.deposit_index)?.saturating_sub(Wad::from_int(paid));
        self.insurance_fund = self.insurance_fund.try_add(haircut)?;
        Ok(haircut)
    }

    /// Tokens that may leave the vault: its balance less the insurance fund it holds.
    pub fn available_liquidity(&self, vault_balance: u64) -> Result<u64> {
        let reserved = self.insurance_fund.to_u64(Rounding::Up)?;
        Ok(vault_balance.saturating_sub(reserved))
    }

    /// Add deposit shares to the market's total.
    pub fn add_deposit_shares(&mut self, shares: u64) -> Result<()> {
        self.total_deposit_shares = checked_add(self.total_deposit_shares, shares)?;
        Ok(())
    }

    /// Remove deposit shares from the market's total.
    pub fn sub_deposit_shares(&mut self, shares: u64) -> Result<()> {
        self.total_deposit_shares = checked_sub(self.total_deposit_shares, shares)?;
        Ok(())
    }

    /// Add borrow shares to the market's total.
    pub fn add_borrow_shares(&mut self, shares: u64) -> Result<()> {
        self.total_borrow_shares = checked_add(self.total_borrow_shares, shares)?;
        Ok(())
    }

    /// Remove borrow shares from the market's total.
    pub fn sub_borrow_shares(&mut self, shares: u64) -> Result<()> {
        self.total_borrow_shares = checked_sub(self.total_borrow_shares, shares)?;
        Ok(())
    }
}

fn checked_add(total: u128, shares: u64) -> Result<u128> {
    total
        .checked_add(shares as u128)
        .ok_or_else(|| error!(KeelError::MathOverflow))
}

fn checked_sub(total: u128, shares: u64) -> Result<u128> {
    total
        .checked_sub(shares as u128)
        .ok_or_else(|| error!(KeelError::MathOverflow))
}
