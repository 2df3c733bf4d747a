//! Price every position of a margin account from `remaining_accounts` and compute its health.
//!
//! ```text
//! remaining_accounts = [market_a, price_a, (second_a), market_b, price_b, ...]   groups:
//!   a market, its Pyth update, and its Switchboard feed when the market names a second source
//!   (read from the market itself, so no caller can leave the second source out)
//!   matched to positions by the market's key: any order; groups for markets the account does not
//!   hold are allowed (their market account checked, the rest ignored), so a plan built before the
//!   account gained or lost a position still fits; a market twice is refused
//!   (DuplicateRemainingAccount); a position without its group is refused (MissingPositionPair)
//! for each position:  market is a Market of this pool (owner, discriminator, pool)
//!                     each price passes its source's checks (oracle/pyth.rs, switchboard.rs),
//!                     is not older than one the market already used from that source, and the
//!                     two combine by oracle/rules.rs; borrow and withdraw refuse a position whose
//!                     sources diverge (OracleSourcesDiverge), whose second source is stale
//!                     while the first is fresh (SecondaryOracleUnavailable: a pull feed is fresh
//!                     only when someone updates it, so the borrower must), or whose first is
//!                     stale while the second is fresh (OracleNeedsBothSources); health and
//!                     liquidation take any failure of a pinned account as the source's absence
//! initial weights   = tightened by the price's volatility (math/volatility.rs) and, past the
//!                     market's size-aware limit, by its size (math/size_aware.rs)
//! e-mode            = a deposit in a market of the account's group (every debt inside one
//!                     group: math/emode.rs) is weighted with the group's collateral weights,
//!                     priced the same way; the group is read from the quotes' debts at each
//!                     health computation (a borrow outside the group drops it for the borrow's
//!                     own check), except where an instruction pins it (liquidation, orders:
//!                     their post-conditions are judged with the group they priced the account in)
//! deposit = floor(deposit_shares * deposit_index(now)),  debt = ceil(borrow_shares * borrow_index(now))
//! weights = the market's weights in force at now (maintenance weights on their ramp)
//! price account = the market's configured one (oracle/pyth.rs): no caller chooses the update
//! ```
//! In health and liquidation (`Maintenance`), a position whose feed is stale or too uncertain is
//! valued at the feed's last published price, its confidence clamped to the market's limit
//! (oracle/rules.rs, "held"): a feed's silence never changes an account's health, and a held
//! price is never an exchange leg (`Quote::exchange_price`). For borrowing and withdrawing
//! (`Initial`) such a collateral counts zero and such a debt refuses. A position *without debt*
//! whose feed is gone (no held price, no second source) counts as zero collateral (it can only
//! make the account look poorer, never richer); a position with debt and no price refuses (debt
//! cannot be under-valued). A wrong account, owner, feed, verification or an
//! update older than one already used is always refused. Since the price account is pinned per
//! market, "stale" means the feed itself has not been updated (anyone, the account's owner
//! included, can post a fresh update to it), never that a caller picked an old one.
//! `PriceMode::Initial` (borrow, withdraw) checks the market's configured oracle limits;
//! `PriceMode::Maintenance` (health, liquidation, the bonus clock) the limits in force for
//! maintenance, which after a tightening stay the looser ones until the ramp ends
//! (math/weight_ramp.rs).
use super::position_price::price_position;
use crate::errors::KeelError;
use crate::math::emode::active_group;
use crate::math::health::{Health, HealthParts, PositionHealthInput, RiskWeights};
use crate::math::health_sums::HealthSums;
use crate::oracle::rules::PriceSource;
use crate::state::market_pricing::has_secondary;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Which requirement the prices serve (both count an unusable collateral as zero and refuse an
/// unusable debt price).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceMode {
    /// Borrow and withdraw: the configured oracle limits.
    Initial,
    /// Health, liquidation: the oracle limits in force for maintenance.
    Maintenance,
}

/// A market the instruction already holds (and may have changed in memory this instruction).
pub struct LoadedMarket<'a> {
    /// Its address.
    pub key: Pubkey,
    /// Its current state.
    pub market: &'a Market,
}

/// One position as priced: its health input, which source priced it and when each source used
/// was published (0: not used).
#[derive(Clone, Copy, Debug, Default)]
pub struct Quote {
    /// The position's market.
    pub market: Pubkey,
    /// Amounts, decimals, weights in force and price.
    pub input: PositionHealthInput,
    /// Which rule of oracle/rules.rs gave the price.
    pub source: PriceSource,
    /// Publish time of the primary's update, if used.
    pub publish_time: i64,
    /// Publish time of the secondary's update, if used.
    pub secondary_publish_time: i64,
    /// The market's e-mode group (0: none).
    pub group: u8,
    /// The weights of a deposit here inside the group (priced as `input.weights`).
    pub emode_weights: RiskWeights,
}

impl Quote {
    /// The price a liquidation or an order may exchange this position at: a fresh one. A held
    /// price (oracle/rules.rs: the feed is stale or too wide) values the account but moves no
    /// tokens (`HeldPriceNotExchangeable`: post a fresh update first); no price at all refuses
    /// with `unpriced`.
    pub fn exchange_price(&self, unpriced: KeelError) -> Result<crate::math::health::OraclePrice> {
        require!(
            self.source != PriceSource::Held,
            KeelError::HeldPriceNotExchangeable
        );
        self.input.price.ok_or_else(|| error!(unpriced))
    }

    /// The position's weights in an account of e-mode `group`: the group's when it belongs to
    /// it and holds a deposit.
    pub fn weights_in(&self, group: Option<u8>) -> RiskWeights {
        match group {
            Some(g) if g == self.group && self.input.deposit > 0 => self.emode_weights,
            _ => self.input.weights,
        }
    }
}

/// Every position of an account, priced once (reused by the post-checks of an instruction).
#[derive(Debug, Default)]
pub struct PricedAccount {
    /// One quote per active position, in position order.
    pub quotes: Vec<Quote>,
    /// The e-mode group pinned for this instruction (`Some`), or `None`: read from the quotes'
    /// debts each time.
    pub pinned_group: Option<Option<u8>>,
}

impl PricedAccount {
    /// The account's e-mode group: pinned, or from the debts as they stand in the quotes.
    pub fn emode_group(&self) -> Option<u8> {
        self.pinned_group.unwrap_or_else(|| {
            active_group(self.quotes.iter().map(|q| (q.group, q.input.debt > 0)))
        })
    }

    /// Keep the group the account is in now for the rest of the instruction.
    pub fn pin_emode(&mut self) {
        self.pinned_group = Some(self.emode_group());
    }

    /// The quote of the position in `market` and its weights as the account's health weighs
    /// them (its e-mode group applied).
    pub fn weighted(&self, market: &Pubkey) -> Option<(&Quote, RiskWeights)> {
        let group = self.emode_group();
        self.get(market).map(|q| (q, q.weights_in(group)))
    }

    /// The `parts` of the account's health from its quotes (the rest zero).
    pub fn health_parts(&self, parts: HealthParts) -> Result<Health> {
        self.sums_of(None, parts)?.finish()
    }

    /// The running sums of the `parts` of every quote, or of the quotes of the markets `only`
    /// names, weighted in the account's e-mode group, before their final division.
    pub fn sums_of(&self, only: Option<[&Pubkey; 2]>, parts: HealthParts) -> Result<HealthSums> {
        let group = self.emode_group();
        let mut sums = HealthSums::default();
        for q in &self.quotes {
            if only.is_none_or(|[a, b]| q.market == *a || q.market == *b) {
                sums.add_weighted(&q.input, &q.weights_in(group), parts)?;
            }
        }
        Ok(sums)
    }

    /// What liquidation and the bonus clock need: the maintenance side.
    pub fn maintenance_health(&self) -> Result<Health> {
        self.health_parts(MAINTENANCE)
    }

    /// Let `market` (held writable at `key`) remember the publish times its position was priced
    /// at, per source.
    pub fn record_publish_time(&self, key: &Pubkey, market: &mut Market) {
        if let Some(q) = self.get(key) {
            market.record_publish_times(q.publish_time, q.secondary_publish_time);
        }
    }

    /// True when a position is valued at a held price (a stale or too-wide feed).
    pub fn any_held(&self) -> bool {
        self.quotes.iter().any(|q| q.source == PriceSource::Held)
    }

    /// The quote of the position in `market`.
    pub fn get(&self, market: &Pubkey) -> Option<&Quote> {
        self.quotes.iter().find(|q| q.market == *market)
    }

    /// The quote of the position in `market`, to update its amounts in place.
    pub fn get_mut(&mut self, market: &Pubkey) -> Option<&mut Quote> {
        self.quotes.iter_mut().find(|q| q.market == *market)
    }
}

/// The parts of [`PricedAccount::maintenance_health`]: the maintenance side and the spot sums.
pub const MAINTENANCE: HealthParts = HealthParts {
    initial: false,
    maintenance: true,
    spot: true,
};

/// The first 8 bytes of a key, as a number.
fn key_prefix(key: &Pubkey) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&key.as_ref()[..8]);
    u64::from_le_bytes(b)
}

/// Verify `remaining` against the account's positions and price them at `now`.
pub fn price_account(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    loaded: &[LoadedMarket],
    now: i64,
    mode: PriceMode,
) -> Result<PricedAccount> {
    // keys compared by their first 8 bytes, in full only when those agree (a 32-byte compare is
    // a memcmp call on SBF, and matching is quadratic in the number of groups)
    let mut groups: Vec<(u64, &[AccountInfo])> = Vec::with_capacity(remaining.len() / 2);
    let mut at = 0;
    while at < remaining.len() {
        let market = &remaining[at];
        let second = match loaded.iter().find(|l| l.key == *market.key) {
            Some(l) => l.market.config.secondary.is_set(),
            None => has_secondary(market)?,
        };
        let end = at + if second { 3 } else { 2 };
        require!(end <= remaining.len(), KeelError::RemainingAccountsCount);
        let prefix = key_prefix(market.key);
        require!(
            groups
                .iter()
                .all(|(q, g)| *q != prefix || g[0].key != market.key),
            KeelError::DuplicateRemainingAccount
        );
        groups.push((prefix, &remaining[at..end]));
        at = end;
    }
    let mut priced = PricedAccount {
        quotes: Vec::with_capacity(account.active().len()),
        pinned_group: None,
    };
    for (i, position) in account.active().iter().enumerate() {
        let prefix = key_prefix(&position.market);
        let is_its = |(q, g): &&(u64, &[AccountInfo])| *q == prefix && *g[0].key == position.market;
        // a plan lists the groups in position order: the position's own slot first (a market's
        // group is unique, so this finds the same group as the scan)
        let (_, group) = groups
            .get(i)
            .filter(is_its)
            .or_else(|| groups.iter().find(is_its))
            .ok_or_else(|| error!(KeelError::MissingPositionPair))?;
        let quote = price_position(account, position, group, loaded, now, mode)?;
        priced.quotes.push(quote);
    }
    Ok(priced)
}

pub use crate::oracle::pyth::is_quality_error;
