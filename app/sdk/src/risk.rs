//! Health of a margin account off-chain, computed with the program's own code: the same projected
//! interest, the same price validation (`keel::oracle::pyth::check_price_update`,
//! `keel::oracle::switchboard::validate_pull_feed`), the same two-source rules
//! (`keel::oracle::price_from_readings`), the same volatility margin (`keel::math::volatility`), the
//! same weights in force (`Market::weights_at`, maintenance weights on their ramp), the same
//! engine (`keel::math::health::compute_health`) and the same lenient rules as `health` and
//! `liquidate`: a stale or too-wide feed is held at its last price (`PriceSource::Held`, never an
//! exchange leg), a collateral-only position without any price counts zero, a debt position
//! without one cannot be valued. A client and the chain cannot disagree.
//!
//! ```text
//! liquidation price of collateral c (others fixed):  p* = p * (1 - (C_maint - D_maint) / V_c)
//! where V_c is c's weighted maintenance value;  None when no price of c alone can liquidate.
//! ```
use anchor_lang::prelude::Pubkey;
use keel::math::emode::{active_group, elevated};
use keel::math::health::{compute_health, Health, OraclePrice, PositionHealthInput, RiskWeights};
use keel::math::shares::{debt_amount, deposit_amount};
use keel::math::size_aware::priced_weights;
use keel::math::volatility::initial_weights;
use keel::oracle::pyth::{check_price_update, is_quality_error};
use keel::oracle::rules::PriceSource;
use keel::oracle::switchboard::PullFeedResult;
use keel::state::{MarginAccount, Market};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use std::fmt;

/// A market as a client holds it: its address, state and current validated price.
#[derive(Clone, Debug)]
pub struct MarketState {
    /// The market's address.
    pub key: Pubkey,
    /// Its decoded state.
    pub market: Market,
    /// Its price, if the updates passed the market's oracle checks (maintenance limits) and
    /// combined (oracle/rules.rs).
    pub price: Option<OraclePrice>,
    /// Which rule priced it.
    pub source: PriceSource,
    /// An update failed a check the program refuses outright (wrong feed, verification, older
    /// than one the market used, a second source missing): the position cannot be priced at
    /// all, not even as zero.
    pub refused: bool,
}

impl MarketState {
    /// A market priced from its Pyth `update` alone (a market with a second source is then
    /// refused: the program would want its feed too).
    pub fn new(
        key: Pubkey,
        market: Market,
        update: Option<&PriceUpdateV2>,
        now: i64,
    ) -> MarketState {
        MarketState::with_feeds(key, market, update, None, now)
    }

    /// A market priced from its Pyth `update` and, when it names one, its Switchboard `feed`,
    /// as the program prices it at `now`.
    pub fn with_feeds(
        key: Pubkey,
        market: Market,
        update: Option<&PriceUpdateV2>,
        feed: Option<&PullFeedResult>,
        now: i64,
    ) -> MarketState {
        let priced = price_market(&market, update, feed, now);
        let (price, source, refused) = match priced {
            Ok(p) => (p.sourced.price, p.sourced.source, false),
            Err(e) => (None, PriceSource::None, !is_quality_error(&e)),
        };
        MarketState {
            key,
            market,
            price,
            source,
            refused,
        }
    }

    /// The weights a position in this market is valued with at `now`: those in force, the
    /// initial ones tightened by the price's volatility (math/volatility.rs) and, past the
    /// market's size-aware limit, the initial collateral weight by its size
    /// (math/size_aware.rs), as the program values them.
    pub fn weights_at(&self, now: i64) -> RiskWeights {
        self.priced_weights(self.market.weights_at(now), now)
    }

    /// The weights of a deposit here inside its e-mode group (math/emode.rs), priced the same
    /// way; the ordinary ones for a market in no group.
    pub fn emode_weights_at(&self, now: i64) -> RiskWeights {
        let m = &self.market;
        let e = &m.config.emode;
        if !e.is_set() {
            return self.weights_at(now);
        }
        let w = elevated(
            m.weights_at(now),
            e.init_asset_weight_bps,
            m.emode_maint_at(now),
        );
        self.priced_weights(w, now)
    }

    /// The initial weights of `w` tightened by volatility and size, as the program does.
    fn priced_weights(&self, w: RiskWeights, now: i64) -> RiskWeights {
        let g = &self.market.config.guard;
        let Some(p) = &self.price else {
            return w;
        };
        let m = &self.market;
        let limit = (m.config.init_value_limit_usd, m.decimals);
        let deposits = || {
            let step = m.projected_accrual(now)?;
            Ok((m.total_deposit_shares, step.deposit_index))
        };
        priced_weights(w, p, g, limit, deposits).unwrap_or_else(|_| RiskWeights {
            // what the program cannot value it cannot lend against
            init_asset_weight_bps: 0,
            ..initial_weights(w, p, g)
        })
    }
}

/// The program's pricing of `market` (maintenance limits) from the accounts' decoded contents.
fn price_market(
    market: &Market,
    update: Option<&PriceUpdateV2>,
    feed: Option<&PullFeedResult>,
    now: i64,
) -> anchor_lang::Result<keel::oracle::MarketPrice> {
    use keel::errors::KeelError;
    let oracle = market.maintenance_oracle_at(now);
    // what the program cannot read of the pinned account makes the source absent, as there
    let primary = match update {
        Some(u) => check_price_update(u, &oracle, now, market.last_publish_time),
        None => Err(KeelError::OracleInvalidAccount.into()),
    }
    .or_else(keel::oracle::unusable_primary)?;
    let sources = keel::oracle::Sources {
        primary: &oracle,
        primary_not_before: market.last_publish_time,
        secondary: &market.config.secondary,
        secondary_not_before: market.last_secondary_publish_time,
        // as health and liquidation take it: a failure of the feed's data is its absence
        strict_secondary: false,
        // and a stale or too-wide primary held at its last price, as there (issue 27)
        hold_last_price: true,
        guard: &market.config.guard,
    };
    // the configured feed's account, closed or not a feed, is the program's `Unreadable`
    let feed = match feed {
        Some(f) => keel::oracle::SecondFeed::Read(f),
        None => keel::oracle::SecondFeed::Unreadable(keel::oracle::rules::Unusable::InvalidAccount),
    };
    keel::oracle::price_from_readings(&sources, primary, feed, now)
}

/// Why health could not be computed.
#[derive(Debug, PartialEq, Eq)]
pub enum RiskError {
    /// A position's market is not among those given.
    UnknownMarket(Pubkey),
    /// A position's market has no valid price (stale, too uncertain, wrong feed...).
    Unpriced(Pubkey),
    /// Arithmetic failed (an amount too large to value).
    Math,
}

impl fmt::Display for RiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RiskError::UnknownMarket(m) => write!(f, "market {m} not loaded"),
            RiskError::Unpriced(m) => write!(f, "market {m} has no valid price"),
            RiskError::Math => write!(f, "arithmetic overflow while valuing the account"),
        }
    }
}

impl std::error::Error for RiskError {}

/// One position in tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionAmounts {
    /// The market.
    pub market: Pubkey,
    /// Deposit, base units (rounded down, as the program does).
    pub deposit: u64,
    /// Debt, base units (rounded up).
    pub debt: u64,
}

fn find<'a>(markets: &'a [MarketState], key: &Pubkey) -> Result<&'a MarketState, RiskError> {
    markets
        .iter()
        .find(|m| m.key == *key)
        .ok_or(RiskError::UnknownMarket(*key))
}

/// The account's positions in tokens, with interest projected to `now`.
pub fn position_amounts(
    account: &MarginAccount,
    markets: &[MarketState],
    now: i64,
) -> Result<Vec<PositionAmounts>, RiskError> {
    account
        .active()
        .iter()
        .map(|p| {
            let m = find(markets, &p.market)?;
            let step = m
                .market
                .projected_accrual(now)
                .map_err(|_| RiskError::Math)?;
            Ok(PositionAmounts {
                market: p.market,
                deposit: deposit_amount(p.deposit_shares, step.deposit_index)
                    .map_err(|_| RiskError::Math)?,
                debt: debt_amount(p.borrow_shares, step.borrow_index)
                    .map_err(|_| RiskError::Math)?,
            })
        })
        .collect()
}

/// The account's health as the `health` instruction computes it: a collateral-only position
/// without a usable price counts zero; a debt position without one is an error.
pub fn account_health(
    account: &MarginAccount,
    markets: &[MarketState],
    now: i64,
) -> Result<Health, RiskError> {
    let amounts = position_amounts(account, markets, now)?;
    let weights = position_weights(&amounts, markets, now)?;
    let mut inputs = Vec::with_capacity(amounts.len());
    for (a, w) in amounts.iter().zip(weights) {
        let m = find(markets, &a.market)?;
        if m.price.is_none() && (a.debt > 0 || m.refused) {
            return Err(RiskError::Unpriced(a.market));
        }
        inputs.push(PositionHealthInput {
            deposit: a.deposit,
            debt: a.debt,
            decimals: m.market.decimals,
            weights: w,
            price: m.price,
        });
    }
    compute_health(&inputs).map_err(|_| RiskError::Math)
}

/// The account's e-mode group (math/emode.rs): every debt in markets of one group.
pub fn emode_group(
    amounts: &[PositionAmounts],
    markets: &[MarketState],
) -> Result<Option<u8>, RiskError> {
    let mut groups = Vec::with_capacity(amounts.len());
    for a in amounts {
        groups.push((
            find(markets, &a.market)?.market.config.emode.group,
            a.debt > 0,
        ));
    }
    Ok(active_group(groups))
}

/// Each position's weights as the program weighs them: its e-mode group's for a deposit in the
/// account's group, the ordinary ones otherwise.
pub fn position_weights(
    amounts: &[PositionAmounts],
    markets: &[MarketState],
    now: i64,
) -> Result<Vec<RiskWeights>, RiskError> {
    let group = emode_group(amounts, markets)?;
    amounts
        .iter()
        .map(|a| {
            let m = find(markets, &a.market)?;
            let inside = group.is_some_and(|g| g == m.market.config.emode.group);
            Ok(match inside && a.deposit > 0 {
                true => m.emode_weights_at(now),
                false => m.weights_at(now),
            })
        })
        .collect()
}

/// For each collateral position, the price (in the market's quote units, as a float for display)
/// at which the account becomes liquidatable with every other price unchanged.
pub fn liquidation_prices(
    account: &MarginAccount,
    markets: &[MarketState],
    now: i64,
) -> Result<Vec<(Pubkey, Option<f64>)>, RiskError> {
    let health = account_health(account, markets, now)?;
    let amounts = position_amounts(account, markets, now)?;
    let weights = position_weights(&amounts, markets, now)?;
    let (c, d) = (health.collateral_maint.0 as f64, health.debt_maint.0 as f64);
    let mut out = vec![];
    for (a, w) in amounts.iter().zip(weights).filter(|(a, _)| a.deposit > 0) {
        let m = find(markets, &a.market)?;
        let Some(price) = m.price else {
            out.push((a.market, None)); // counts zero already: no price of it liquidates
            continue;
        };
        let alone = compute_health(&[PositionHealthInput {
            deposit: a.deposit,
            debt: 0,
            decimals: m.market.decimals,
            weights: w,
            price: Some(price),
        }])
        .map_err(|_| RiskError::Math)?;
        let v_c = alone.collateral_maint.0 as f64;
        let spot = price.price as f64 * 10f64.powi(price.expo);
        let p = if v_c > 0.0 && d > 0.0 {
            spot * (1.0 - (c - d) / v_c)
        } else {
            -1.0
        };
        out.push((a.market, (p > 0.0).then_some(p)));
    }
    Ok(out)
}
