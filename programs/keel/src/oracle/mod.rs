//! Oracle adapters: turn the accounts the caller passed into one validated price per market.
//!
//! ```text
//! primary   = Pyth PriceUpdateV2 (pyth.rs), always
//! secondary = Switchboard On-Demand pull feed (switchboard.rs), when the market names one
//! price     = rules.rs's combination of the two (each source's own checks first)
//! ```
//! Each market reads pinned accounts: the caller chooses nothing but whether to pass the right
//! key, and a wrong key refuses the instruction whatever the other source says. Everything else
//! is the feed's own state: stale, too uncertain, or unusable (closed, reassigned, foreign data,
//! another feed, partly verified, non-positive, older than used: `rules::Unusable`). Any of those
//! makes the source absent for the rules, so whoever controls a feed can never stop liquidations
//! by breaking it (issue 26): the other source prices the market, or, with neither, a stale or
//! too-wide primary is held at its last price for health and liquidation (issue 27: silence
//! alone never makes an account liquidatable), and a gone one counts its collateral zero and
//! refuses its debt. Borrowing and withdrawing are stricter about the
//! second source (`strict_secondary`: a data failure of the feed refuses, as its absence does:
//! risk/account_health.rs); a debt-holder can always repay, which needs no price.
pub mod pyth;
pub mod rules;
pub mod switchboard;

use crate::state::{OracleConfig, OracleGuard, SecondaryOracle};
use anchor_lang::prelude::*;
use rules::{combine, PriceSource, Reading, SourcedPrice};

/// A market's price as the rules give it, with each source's publish time if it was used (0 if
/// not), for the market to remember.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketPrice {
    /// The combined price and its source.
    pub sourced: SourcedPrice,
    /// Publish time of the primary's update, if used.
    pub primary_time: i64,
    /// Publish time of the secondary's update, if used.
    pub secondary_time: i64,
}

/// Which sources a market's price reads, with their limits and the newest update each has used.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    /// The primary's limits (maintenance or initial).
    pub primary: &'a OracleConfig,
    /// Newest primary publish time used.
    pub primary_not_before: i64,
    /// The secondary (unset: none).
    pub secondary: &'a SecondaryOracle,
    /// Newest secondary publish time used.
    pub secondary_not_before: i64,
    /// Whether a failure of the secondary's account or data (owner, layout, feed hash, value, an
    /// older update) refuses (borrow, withdraw) or only makes the source absent (health,
    /// liquidation, orders: whoever controls the feed must not be able to stop liquidations). A
    /// wrong key always refuses.
    pub strict_secondary: bool,
    /// Whether a stale or too-wide primary with neither source fresh is held at its last price
    /// (health, liquidation, orders: rules.rs) or gives no price (borrow, withdraw).
    pub hold_last_price: bool,
    /// How they combine.
    pub guard: &'a OracleGuard,
}

/// Read and combine the market's price accounts at `now`. `Err` for a wrong key, or when no
/// configured source gave a price (the caller decides whether a position may then count zero:
/// `risk::account_health::counts_zero`).
pub fn load_market_price(
    sources: &Sources,
    primary: &AccountInfo,
    secondary: Option<&AccountInfo>,
    now: i64,
) -> Result<MarketPrice> {
    let primary =
        pyth::load_pyth_checked(primary, sources.primary, now, sources.primary_not_before)
            .or_else(unusable_primary)?;
    let read = match (sources.secondary.is_set(), secondary) {
        (true, Some(info)) => match switchboard::read_checked_feed(info, sources.secondary) {
            Ok(feed) => Some(Ok(feed)),
            Err(e) => Some(Err(rules::Unusable::from_error(&e).ok_or(e)?)),
        },
        _ => None,
    };
    let feed = match &read {
        None => SecondFeed::NotGiven,
        Some(Ok(feed)) => SecondFeed::Read(feed),
        Some(Err(u)) => SecondFeed::Unreadable(*u),
    };
    price_from_readings(sources, primary, feed, now)
}

/// The exponent a market is priced at when its primary gave nothing to read one from (the
/// second source is then rescaled to it: wide enough for a $0.00001 token and a $1B one).
pub const UNREAD_PRIMARY_EXPO: i32 = -10;

/// The primary's reading when its pinned account refused: unusable (absent for the rules) for any
/// failure of its contents; a wrong key stays a refusal.
pub fn unusable_primary(e: Error) -> Result<(Reading, i64, i32)> {
    match rules::Unusable::from_error(&e) {
        Some(u) => Ok((Reading::Unusable(u), 0, UNREAD_PRIMARY_EXPO)),
        None => Err(e),
    }
}

/// The second source's account as the caller gave it.
#[derive(Clone, Copy, Debug)]
pub enum SecondFeed<'a> {
    /// Not among the accounts (refused when the market names a second source).
    NotGiven,
    /// The pinned account, but not a feed Keel can read (closed, reassigned, foreign data).
    Unreadable(rules::Unusable),
    /// Its contents.
    Read(&'a switchboard::PullFeedResult),
}

/// The rules applied to the primary's checked reading (its price or failure, publish time and
/// exponent) and the secondary's feed, already read: what the program does after reading the
/// accounts and what a client does with their decoded contents. A market that names a
/// secondary and has no feed given is refused (`SecondaryOracleMismatch`).
pub fn price_from_readings(
    sources: &Sources,
    (p1, t1, expo): (Reading, i64, i32),
    feed: SecondFeed,
    now: i64,
) -> Result<MarketPrice> {
    let second = match (sources.secondary.is_set(), feed) {
        (false, _) => None,
        (true, SecondFeed::Unreadable(u)) => {
            Some(secondary_reading(Err(u.error()), sources.strict_secondary)?)
        }
        (true, SecondFeed::Read(feed)) => {
            let checked = switchboard::validate_pull_feed(
                feed,
                sources.secondary,
                expo,
                now,
                sources.secondary_not_before,
            );
            Some(secondary_reading(checked, sources.strict_secondary)?)
        }
        (true, SecondFeed::NotGiven) => {
            return Err(error!(crate::errors::KeelError::SecondaryOracleMismatch))
        }
    };
    combine_timed((p1, t1), second, sources.guard, sources.hold_last_price)
}

/// The secondary's reading as the mode takes it: a data failure refuses when `strict`, else makes
/// the source absent (stale, never used, so no publish time recorded).
pub fn secondary_reading(checked: Result<(Reading, i64)>, strict: bool) -> Result<(Reading, i64)> {
    match checked {
        Err(_) if !strict => Ok((Reading::Stale, 0)),
        other => other,
    }
}

/// [`combine`] with each source's publish time kept only when the rule used that source.
pub fn combine_timed(
    (p1, t1): (Reading, i64),
    second: Option<(Reading, i64)>,
    guard: &OracleGuard,
    hold: bool,
) -> Result<MarketPrice> {
    let t2 = second.as_ref().map_or(0, |s| s.1);
    let sourced = combine(p1, second.map(|s| s.0), guard, hold)?;
    let (primary_time, secondary_time) = match sourced.source {
        PriceSource::None => (0, 0),
        PriceSource::Primary | PriceSource::Divergent => (t1, t2),
        PriceSource::PrimaryOnly | PriceSource::Held => (t1, 0),
        PriceSource::Secondary => (0, t2),
    };
    Ok(MarketPrice {
        sourced,
        primary_time,
        secondary_time,
    })
}
