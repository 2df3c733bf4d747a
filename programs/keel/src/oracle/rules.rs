//! How a market's two price sources combine into the one price health and liquidation use.
//!
//! ```text
//! p1 = primary (Pyth), p2 = secondary (Switchboard), each [p - conf, p + conf] its band
//! fresh = passed its source's checks of age and confidence (other failures always refuse)
//!
//! one source configured       p1 as it is                                   source: Primary
//! both fresh, agree           p1, its band stretched to cover p2            source: Primary
//!   agree iff |p1 - p2| * 10^4 <= max_divergence_bps * min(p1, p2)
//! both fresh, diverge         spot = p1 (liquidations exchange at it),      source: Divergent
//!                             band = [min(low1, max(low2, low1 * (1 - d))),
//!                                     max(high1, min(high2, high1 * (1 + d)))]   d = the bound
//!                             borrow and withdraw refuse (OracleSourcesDiverge);
//!                             health and liquidation go on at this band
//! p1 fresh, p2 not            p1 as it is                                   source: PrimaryOnly
//! p1 not, p2 fresh            p2, band = [floor(low2 * (1 - h)), ceil(high2 * (1 + h))]
//!                             h = fallback_haircut_bps                      source: Secondary
//! neither fresh, p1 held      health and liquidation (`hold`): p1's last    source: Held
//!   (stale for at most an     published price, its confidence clamped to
//!   hour, or too wide;        the market's limit; never an exchange leg
//!   readable and positive)
//!                             borrow and withdraw: no price (as below)
//! neither fresh               no price: collateral counts zero, debt refuses  source: None
//! ```
//! Why hold (issue 27): a feed's silence or width says nothing about the account, and counting
//! the collateral zero let anyone liquidate healthy accounts by *not* posting a Pyth update for
//! 60 s (or by posting a real one with a wide confidence). Held at its last price, the account is
//! valued as it was when the feed last spoke: silence alone never makes it liquidatable. A truly
//! unhealthy account waits only as long as it takes anyone to post a fresh update (Pyth is a pull
//! oracle: the liquidator can post it in its own transaction), and a held price is never the
//! price of an exchange (`HeldPriceNotExchangeable`): a liquidation or order seizing or repaying
//! in that market needs the fresh update. A feed that is gone (closed, reassigned, foreign data)
//! gives nothing to hold: the second source, else zero collateral (issue 26).
//! So the second source moves a price the primary gives by at most the divergence bound, agreeing
//! or not (a proptest below): one source pushed far from the other cannot make healthy accounts
//! liquidatable (issue 26; before, a Switchboard feed cranked 10% below Pyth valued collateral 10%
//! down), while the borrowing direction keeps its defence (a divergence refuses borrowing and
//! withdrawing outright). A lone secondary pays a haircut for being the backup. The EMA (initial
//! band) is the primary's where it has one; the secondary has none (oracle/switchboard.rs).
use crate::errors::KeelError;
use crate::math::fixed::wide_mul;
use crate::math::health::{OraclePrice, PriceBand};
use crate::state::OracleGuard;
use anchor_lang::prelude::*;

/// A source's reading after its own checks: a price, or the failure that makes the source absent
/// for the rules. (A plain enum rather than `Result<OraclePrice>`: an Anchor error is built only
/// where one is returned, not carried through every pricing.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Passed every check.
    Fresh(OraclePrice),
    /// Older than the source's max age.
    Stale,
    /// Its confidence is wider than the source's limit.
    TooWide,
    /// The market's own (pinned) account holds no price Keel may use: closed, reassigned to
    /// another program, foreign data, another feed, partly verified, non-positive, or older than
    /// an update the market used. Whoever controls the feed did this, never the caller (who can
    /// only pass the pinned key, else a refusal), so it must not stop liquidations: the source is
    /// absent, as a stale one is.
    Unusable(Unusable),
    /// Stale or too wide, but otherwise a readable, positive update of the pinned feed: its last
    /// published price with the confidence clamped to the source's limit, and why it is not
    /// fresh. Only the primary (Pyth) holds a price.
    Held(OraclePrice, Unfresh),
}

/// Why a held price is not fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfresh {
    /// Older than the source's max age.
    Stale,
    /// Its confidence is wider than the source's limit.
    TooWide,
}

/// Why a pinned price account is unusable (each keeps its own error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Not owned by the source's program (closed, or reassigned).
    WrongOwner,
    /// Not the source's account layout.
    InvalidAccount,
    /// Another feed.
    FeedMismatch,
    /// A partly verified Pyth update.
    NotFullyVerified,
    /// Older than an update the market already used.
    OlderThanUsed,
    /// A price (or EMA) at or below zero.
    NonPositive,
}

impl Unusable {
    /// Every cause.
    const ALL: [Unusable; 6] = [
        Unusable::WrongOwner,
        Unusable::InvalidAccount,
        Unusable::FeedMismatch,
        Unusable::NotFullyVerified,
        Unusable::OlderThanUsed,
        Unusable::NonPositive,
    ];

    /// The cause as Keel's error.
    pub fn error(self) -> Error {
        match self {
            Unusable::WrongOwner => KeelError::OracleWrongOwner,
            Unusable::InvalidAccount => KeelError::OracleInvalidAccount,
            Unusable::FeedMismatch => KeelError::OracleFeedMismatch,
            Unusable::NotFullyVerified => KeelError::OracleNotFullyVerified,
            Unusable::OlderThanUsed => KeelError::OracleOlderThanUsed,
            Unusable::NonPositive => KeelError::OracleNonPositivePrice,
        }
        .into()
    }

    /// The cause an error of a pinned account's contents stands for (`None` for any other error:
    /// a wrong key is the caller's doing and always refuses).
    pub fn from_error(e: &Error) -> Option<Unusable> {
        Unusable::ALL.into_iter().find(|u| *e == u.error())
    }
}

impl Reading {
    /// The failure as Keel's error (`Fresh` has none: `OracleInvalidAccount`).
    pub fn error(&self) -> Error {
        match self {
            Reading::Stale => error!(KeelError::OracleStale),
            Reading::TooWide => error!(KeelError::OracleConfidenceTooWide),
            Reading::Unusable(u) => u.error(),
            Reading::Held(_, Unfresh::Stale) => error!(KeelError::OracleStale),
            Reading::Held(_, Unfresh::TooWide) => error!(KeelError::OracleConfidenceTooWide),
            Reading::Fresh(_) => error!(KeelError::OracleInvalidAccount),
        }
    }

    /// The reading an error of the source's data stands for (`None` for any other error).
    pub fn from_quality_error(e: &Error) -> Option<Reading> {
        let stale: Error = KeelError::OracleStale.into();
        let wide: Error = KeelError::OracleConfidenceTooWide.into();
        if *e == stale {
            Some(Reading::Stale)
        } else if *e == wide {
            Some(Reading::TooWide)
        } else {
            Unusable::from_error(e).map(Reading::Unusable)
        }
    }
}

/// Which source priced a position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum PriceSource {
    /// No usable price (the position's collateral counts zero).
    #[default]
    None,
    /// The primary (Pyth), the secondary agreeing or not configured.
    Primary,
    /// The primary; the secondary is stale or too uncertain.
    PrimaryOnly,
    /// Both fresh and disagreeing: the worse of the two on each side.
    Divergent,
    /// The secondary alone (the primary stale, too wide or gone), with the fallback haircut.
    Secondary,
    /// Neither fresh: the primary's last published price, held (health and liquidation only;
    /// never an exchange leg).
    Held,
}

/// The combined price and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourcedPrice {
    /// The price health uses (`None`: unusable).
    pub price: Option<OraclePrice>,
    /// Which rule gave it.
    pub source: PriceSource,
}

/// True when `a` and `b` are within `max_divergence_bps` of the lower of the two.
pub fn agree(a: u64, b: u64, max_divergence_bps: u16) -> bool {
    wide_mul(a.abs_diff(b), 10_000) <= wide_mul(max_divergence_bps as u64, a.min(b))
}

/// Combine the primary's and (when configured) the secondary's quality-checked readings, both at
/// the primary's exponent (the caller has already refused every other failure). With neither
/// fresh: the primary's held price when `hold` (health, liquidation) and it has one, else `Err`
/// (the primary's quality error).
pub fn combine(
    primary: Reading,
    secondary: Option<Reading>,
    guard: &OracleGuard,
    hold: bool,
) -> Result<SourcedPrice> {
    use Reading::Fresh;
    let sourced = |price: OraclePrice, source| SourcedPrice {
        price: Some(price),
        source,
    };
    Ok(match (primary, secondary) {
        (Fresh(p1), None) => sourced(p1, PriceSource::Primary),
        (
            Fresh(p1),
            Some(Reading::Stale | Reading::TooWide | Reading::Unusable(_) | Reading::Held(..)),
        ) => sourced(p1, PriceSource::PrimaryOnly),
        (Fresh(p1), Some(Fresh(p2))) if agree(p1.price, p2.price, guard.max_divergence_bps) => {
            let bound = PriceBand {
                low: p2.price,
                high: p2.price,
            };
            sourced(with_bound(p1, bound), PriceSource::Primary)
        }
        (Fresh(p1), Some(Fresh(p2))) => {
            require!(p1.expo == p2.expo, KeelError::OracleExponentOutOfRange);
            let (b1, b2) = (p1.maintenance_band(), p2.maintenance_band());
            let d = guard.max_divergence_bps as u128;
            let floor = b1.low as u128 * (10_000 - d.min(10_000)) / 10_000;
            let ceiling = (b1.high as u128 * (10_000 + d)).div_ceil(10_000);
            let bound = PriceBand {
                low: b1.low.min(b2.low.max(floor as u64)),
                high: b1.high.max((b2.high as u128).min(ceiling) as u64),
            };
            // the exchange stays at the primary's spot: the other source may widen the band
            // (who is liquidatable) but not move the price a seizure is computed at
            sourced(with_bound(p1, bound), PriceSource::Divergent)
        }
        (_, Some(Fresh(p2))) => {
            let band = p2.maintenance_band();
            let h = guard.fallback_haircut_bps as u128;
            let low = band.low as u128 * (10_000 - h.min(10_000)) / 10_000;
            let high = (band.high as u128 * (10_000 + h)).div_ceil(10_000);
            let bound = PriceBand {
                low: low as u64,
                high: u64::try_from(high).unwrap_or(u64::MAX),
            };
            sourced(with_bound(p2, bound), PriceSource::Secondary)
        }
        (Reading::Held(p1, _), _) if hold => sourced(p1, PriceSource::Held),
        (p1, _) => return Err(p1.error()),
    })
}

/// `p` whose bands also cover `bound` (and any bound it already had).
fn with_bound(p: OraclePrice, bound: PriceBand) -> OraclePrice {
    let band = match p.bound {
        None => bound,
        Some(b) => PriceBand {
            low: b.low.min(bound.low),
            high: b.high.max(bound.high),
        },
    };
    OraclePrice {
        bound: Some(band),
        ..p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn px(price: u64, conf: u64, ema: u64) -> OraclePrice {
        OraclePrice {
            price,
            conf,
            ema_price: ema,
            ema_conf: conf,
            expo: -8,
            bound: None,
        }
    }

    fn guard() -> OracleGuard {
        OracleGuard {
            max_divergence_bps: 200,
            fallback_haircut_bps: 500,
            vol_margin_floor_bps: 0,
            vol_margin_mult_bps: 0,
            vol_margin_cap_bps: 0,
        }
    }

    fn stale() -> Reading {
        Reading::Stale
    }

    fn fresh(p: OraclePrice) -> Reading {
        Reading::Fresh(p)
    }

    #[test]
    fn each_rule() {
        let g = guard();
        // agreeing: the primary, stretched to the secondary's price
        let s = combine(
            fresh(px(10_000, 10, 10_000)),
            Some(fresh(px(9_900, 5, 9_900))),
            &g,
            false,
        )
        .unwrap();
        assert_eq!(s.source, PriceSource::Primary);
        let p = s.price.unwrap();
        assert_eq!(
            (p.price, p.maintenance_band()),
            (
                10_000,
                PriceBand {
                    low: 9_900,
                    high: 10_010
                }
            )
        );
        // diverging: the primary's spot; the other source lowers collateral (raises debt) by at
        // most the 2% bound: 9,990 x 0.98 = 9,790, not 8,995
        let s = combine(
            fresh(px(10_000, 10, 10_000)),
            Some(fresh(px(9_000, 5, 9_000))),
            &g,
            false,
        )
        .unwrap();
        assert_eq!(s.source, PriceSource::Divergent);
        let p = s.price.unwrap();
        assert_eq!(
            (p.price, p.maintenance_band()),
            (
                10_000,
                PriceBand {
                    low: 9_790,
                    high: 10_010
                }
            )
        );
        // primary stale: the secondary with a 5 % haircut each way
        let s = combine(stale(), Some(fresh(px(10_000, 100, 10_000))), &g, false).unwrap();
        assert_eq!(s.source, PriceSource::Secondary);
        let p = s.price.unwrap();
        assert_eq!(
            (p.price, p.maintenance_band()),
            (
                10_000,
                PriceBand {
                    low: 9_405,
                    high: 10_605
                }
            )
        );
        // secondary stale: the primary as it is
        let s = combine(fresh(px(10_000, 10, 10_000)), Some(stale()), &g, false).unwrap();
        assert_eq!(
            (s.source, s.price),
            (PriceSource::PrimaryOnly, Some(px(10_000, 10, 10_000)))
        );
        // both stale: the primary's quality error
        assert_eq!(
            combine(stale(), Some(stale()), &g, true).unwrap_err(),
            error!(KeelError::OracleStale)
        );
        assert_eq!(
            combine(stale(), None, &g, true).unwrap_err(),
            error!(KeelError::OracleStale)
        );
        // neither fresh, the primary held (issue 27): its last price for health and liquidation,
        // nothing for borrowing; a fresh second source still comes first
        let held = Reading::Held(px(10_000, 10, 10_000), Unfresh::TooWide);
        let s = combine(held, Some(stale()), &g, true).unwrap();
        assert_eq!(
            (s.source, s.price),
            (PriceSource::Held, Some(px(10_000, 10, 10_000)))
        );
        assert_eq!(
            combine(held, None, &g, false).unwrap_err(),
            error!(KeelError::OracleConfidenceTooWide)
        );
        let s = combine(held, Some(fresh(px(10_000, 100, 10_000))), &g, true).unwrap();
        assert_eq!(s.source, PriceSource::Secondary);
    }

    proptest! {
        /// With the primary fresh, collateral is never valued above the primary's band nor below
        /// it by more than the divergence bound, whatever the second source says (and debt the
        /// same way up); the initial band is never looser; the fallback's haircut is at least
        /// `h` on each side.
        #[test]
        fn the_second_source_moves_a_price_by_at_most_the_bound(
            p1 in 1u64..u64::MAX / 4, c1 in 0u64..1 << 40, e1 in 1u64..u64::MAX / 4,
            p2 in 1u64..u64::MAX / 4, c2 in 0u64..1 << 40,
            fresh1 in any::<bool>(), fresh2 in any::<bool>(), configured in any::<bool>(),
            div in 0u16..=2_000, h in 0u16..=5_000,
        ) {
            let g = OracleGuard { max_divergence_bps: div, fallback_haircut_bps: h, ..guard() };
            let a = px(p1, c1, e1);
            let b = OraclePrice { ema_price: p2, ..px(p2, c2, p2) };
            let one = if fresh1 { fresh(a) } else { stale() };
            let two = configured.then(|| if fresh2 { fresh(b) } else { stale() });
            let Ok(s) = combine(one, two, &g, false) else {
                prop_assert!(!(fresh1 || configured && fresh2), "no fresh source, no price");
                return Ok(());
            };
            let p = s.price.unwrap();
            let (m, i) = (p.maintenance_band(), p.initial_band());
            prop_assert!(i.low <= m.low && i.high >= m.high, "initial looser than maintenance");
            prop_assert!(m.low <= p.price && p.price <= m.high);
            if fresh1 {
                let (l1, h1) = (p1.saturating_sub(c1) as u128, p1.saturating_add(c1) as u128);
                let d = div as u128;
                prop_assert!(m.low as u128 <= l1, "collateral above the primary's band");
                prop_assert!(m.high as u128 >= h1, "debt below the primary's band");
                prop_assert!(m.low as u128 * 10_000 + 10_000 >= l1 * (10_000 - d), "pushed down past the bound");
                prop_assert!(m.high as u128 * 10_000 <= h1 * (10_000 + d) + 10_000, "pushed up past the bound");
            }
            if s.source == PriceSource::Secondary {
                prop_assert!(m.low as u128 * 10_000 <= p2 as u128 * (10_000 - h as u128));
                prop_assert!(m.high as u128 * 10_000 >= p2 as u128 * (10_000 + h as u128));
            }
            if s.source == PriceSource::Divergent {
                prop_assert!(!agree(p1, p2, div));
            }
        }
    }
}
