//! Switchboard On-Demand adapter: a `PullFeedAccountData` account -> a validated `OraclePrice`
//! at the primary's exponent.
//!
//! ```text
//! valid iff  key == market.secondary.feed                          (else SecondaryOracleMismatch)
//!            owner == Switchboard On-Demand program                (else OracleWrongOwner)
//!            discriminator == PullFeedAccountData, size >= 3,208   (else OracleInvalidAccount)
//!            feed_hash == market.secondary.feed_hash               (else OracleFeedMismatch)
//!            last_update_timestamp >= market.last_secondary_publish_time (else OracleOlderThanUsed)
//!            last_update_timestamp + max_age >= now                (else OracleStale)
//!            result.value > 0, result.std_dev >= 0                 (else OracleNonPositivePrice,
//!                                                                   OracleInvalidAccount)
//!            result.num_samples >= MIN_SECONDARY_SAMPLES (3)       (else stale: no result yet, or
//!                                                                   one too thin to move a price)
//! price = floor(value / 10^(18 + expo)),  conf = ceil((value + std_dev) / 10^(18 + expo)) - price
//!            conf * 10_000 <= max_conf_bps * price                 (else OracleConfidenceTooWide)
//! (value and std_dev carry 18 decimals; expo is the primary's, so the two compare directly)
//! ```
//! The feed's result is the median of its oracles' answers and its standard deviation; it has no
//! EMA, so the EMA is the value itself (the initial band then only widens by the band).
//!
//! **Why not the `switchboard-on-demand` crate.** 0.13 builds on Solana v3 only without its
//! `anchor` feature (which pins Solana v2), and then pulls the whole `solana-program` 3.0,
//! `rust_decimal` and `libsecp256k1` into the program for one fixed-layout read. The layout is
//! `#[repr(C)]` and `Pod`, so it is read here at its offsets, as `oracle/pyth.rs` reads Pyth's;
//! a test beside this file pins every offset to the crate's own struct (a dev-dependency).
use crate::errors::KeelError;
use crate::math::fixed::{div_pow10, wide_mul, Rounding};
use crate::math::health::OraclePrice;
use crate::oracle::rules::Reading;
use crate::state::SecondaryOracle;
use anchor_lang::prelude::*;

/// The Switchboard On-Demand program (mainnet), owner of every pull feed.
pub const SWITCHBOARD_ON_DEMAND_ID: Pubkey = pubkey!("SBondMDrcV3K4kxZR1HNVT7osZxAHVHgYXL5Ze1oMUv");

/// `PullFeedAccountData`'s Anchor discriminator.
pub const PULL_FEED_DISCRIMINATOR: [u8; 8] = [196, 27, 108, 196, 10, 215, 219, 40];

/// Account offsets (the 8-byte discriminator included) of the fields read.
pub mod offsets {
    /// `feed_hash: [u8; 32]`.
    pub const FEED_HASH: usize = 8 + 2_112;
    /// `last_update_timestamp: i64`.
    pub const LAST_UPDATE_TIMESTAMP: usize = 8 + 2_208;
    /// `result.value: i128` (18 decimals).
    pub const RESULT_VALUE: usize = 8 + 2_256;
    /// `result.std_dev: i128` (18 decimals).
    pub const RESULT_STD_DEV: usize = 8 + 2_272;
    /// `result.num_samples: u8`.
    pub const RESULT_NUM_SAMPLES: usize = 8 + 2_352;
    /// `result.slot: u64`.
    pub const RESULT_SLOT: usize = 8 + 2_360;
    /// The account's size: discriminator and `size_of::<PullFeedAccountData>()`.
    pub const SIZE: usize = 8 + 3_200;
}

/// What Keel reads of a pull feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullFeedResult {
    /// The feed's job hash.
    pub feed_hash: [u8; 32],
    /// Unix time of the feed's last update.
    pub last_update_timestamp: i64,
    /// Median of the oracles' answers, 18 decimals.
    pub value: i128,
    /// Their standard deviation, 18 decimals.
    pub std_dev: i128,
    /// How many answers the result has.
    pub num_samples: u8,
    /// Slot of the result.
    pub slot: u64,
}

/// A pull feed's result from account data (discriminator and size checked).
pub fn read_pull_feed(data: &[u8]) -> Result<PullFeedResult> {
    require!(
        data.len() >= offsets::SIZE && data[..8] == PULL_FEED_DISCRIMINATOR,
        KeelError::OracleInvalidAccount
    );
    let at = |o: usize, n: usize| &data[o..o + n];
    let i128_at = |o: usize| i128::from_le_bytes(at(o, 16).try_into().unwrap_or([0; 16]));
    let mut feed_hash = [0u8; 32];
    feed_hash.copy_from_slice(at(offsets::FEED_HASH, 32));
    Ok(PullFeedResult {
        feed_hash,
        last_update_timestamp: i64::from_le_bytes(
            at(offsets::LAST_UPDATE_TIMESTAMP, 8)
                .try_into()
                .unwrap_or([0; 8]),
        ),
        value: i128_at(offsets::RESULT_VALUE),
        std_dev: i128_at(offsets::RESULT_STD_DEV),
        num_samples: data[offsets::RESULT_NUM_SAMPLES],
        slot: u64::from_le_bytes(at(offsets::RESULT_SLOT, 8).try_into().unwrap_or([0; 8])),
    })
}

/// The identity checks a caller controls (key, owner, discriminator and size), then the feed's
/// result.
pub fn read_checked_feed(info: &AccountInfo, cfg: &SecondaryOracle) -> Result<PullFeedResult> {
    require_keys_eq!(*info.key, cfg.feed, KeelError::SecondaryOracleMismatch);
    require_keys_eq!(
        *info.owner,
        SWITCHBOARD_ON_DEMAND_ID,
        KeelError::OracleWrongOwner
    );
    let data = info.try_borrow_data()?;
    read_pull_feed(&data)
}

/// The checks after the account's identity ([`read_checked_feed`]): `Err` for a refusal,
/// else the reading (fresh, stale or too uncertain) and the time it was published.
pub fn validate_pull_feed(
    feed: &PullFeedResult,
    cfg: &SecondaryOracle,
    expo: i32,
    now: i64,
    not_before: i64,
) -> Result<(Reading, i64)> {
    require!(
        feed.feed_hash == cfg.feed_hash,
        KeelError::OracleFeedMismatch
    );
    let t = feed.last_update_timestamp;
    require!(t >= not_before, KeelError::OracleOlderThanUsed);
    require!(feed.value > 0, KeelError::OracleNonPositivePrice);
    require!(feed.std_dev >= 0, KeelError::OracleInvalidAccount);
    let thin = feed.num_samples < crate::constants::MIN_SECONDARY_SAMPLES;
    if thin || t.saturating_add(cfg.max_age_secs as i64) < now {
        return Ok((Reading::Stale, t));
    }
    // price rounded down; the band's top, value + std_dev, rounded up on its own, so that
    // price + conf >= the exact top and price - conf <= the exact bottom
    let (value, std_dev) = (feed.value as u128, feed.std_dev as u128);
    let price = rescale(value, expo, false)?;
    require!(price > 0, KeelError::OracleNonPositivePrice);
    let top = value
        .checked_add(std_dev)
        .ok_or_else(|| error!(KeelError::OracleInvalidAccount))?;
    let conf = rescale(top, expo, true)? - price;
    if wide_mul(conf, 10_000) > wide_mul(cfg.max_conf_bps as u64, price) {
        return Ok((Reading::TooWide, t));
    }
    Ok((
        Reading::Fresh(OraclePrice {
            price,
            conf,
            ema_price: price,
            ema_conf: conf,
            expo,
            bound: None,
        }),
        t,
    ))
}

/// An 18-decimal amount as a mantissa at exponent `expo` (rounded up when `up`).
fn rescale(x: u128, expo: i32, up: bool) -> Result<u64> {
    let shift = expo
        .checked_add(18)
        .ok_or_else(|| error!(KeelError::OracleExponentOutOfRange))?;
    let out = if shift >= 0 {
        require!(shift <= 38, KeelError::OracleExponentOutOfRange);
        let rounding = if up { Rounding::Up } else { Rounding::Down };
        div_pow10(x, shift as u32, rounding)
    } else {
        10u128
            .checked_pow(shift.unsigned_abs())
            .and_then(|m| x.checked_mul(m))
            .ok_or_else(|| error!(KeelError::OracleExponentOutOfRange))?
    };
    u64::try_from(out).map_err(|_| error!(KeelError::OracleExponentOutOfRange))
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_on_demand::on_demand::accounts::pull_feed::PullFeedAccountData;

    /// Every offset read here is the crate's: a feed built through the crate's own struct reads
    /// back field for field, and the size is its size.
    #[test]
    fn offsets_match_the_crates_layout() {
        assert_eq!(
            offsets::SIZE,
            8 + std::mem::size_of::<PullFeedAccountData>()
        );
        let mut feed: PullFeedAccountData = bytemuck::Zeroable::zeroed();
        feed.feed_hash = [7; 32];
        feed.last_update_timestamp = 1_700_000_123;
        feed.result.value = 153_250_000_000_000_000_000;
        feed.result.std_dev = 41_000_000_000_000_000;
        feed.result.num_samples = 5;
        feed.result.slot = 987_654;
        let mut data = PULL_FEED_DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&feed));
        assert_eq!(
            read_pull_feed(&data).unwrap(),
            PullFeedResult {
                feed_hash: [7; 32],
                last_update_timestamp: 1_700_000_123,
                value: 153_250_000_000_000_000_000,
                std_dev: 41_000_000_000_000_000,
                num_samples: 5,
                slot: 987_654,
            }
        );
        let disc: &[u8] =
            <PullFeedAccountData as switchboard_on_demand::Discriminator>::DISCRIMINATOR;
        assert_eq!(disc, PULL_FEED_DISCRIMINATOR);
        let owner = <PullFeedAccountData as switchboard_on_demand::Owner>::owner();
        assert_eq!(owner.to_bytes(), SWITCHBOARD_ON_DEMAND_ID.to_bytes());
        assert!(read_pull_feed(&data[..data.len() - 1]).is_err());
        data[0] ^= 1;
        assert!(read_pull_feed(&data).is_err());
    }

    proptest::proptest! {
        /// The band read from a feed covers the exact one: price + conf is at least
        /// value + std_dev and price - conf at most value - std_dev, at any exponent.
        #[test]
        fn the_band_read_covers_the_exact_band(
            value in 1i128..1_000_000_000_000_000_000_000_000, std_dev in 0i128..1_000_000_000_000_000_000_000,
            expo in -18i32..=0,
        ) {
            let cfg = SecondaryOracle { max_age_secs: 60, max_conf_bps: u16::MAX, ..SecondaryOracle::default() };
            let feed = PullFeedResult {
                feed_hash: [0; 32], last_update_timestamp: 100, value, std_dev, num_samples: 3, slot: 0,
            };
            let Ok((Reading::Fresh(p), 100)) = validate_pull_feed(&feed, &cfg, expo, 100, 0) else {
                return Ok(()); // too large for a u64 mantissa, or below one unit: refused
            };
            let unit = 10u128.pow((18 + expo) as u32);
            let (lo, hi) = (p.price as u128 - (p.conf as u128).min(p.price as u128), p.price as u128 + p.conf as u128);
            proptest::prop_assert!(hi * unit >= (value + std_dev) as u128);
            proptest::prop_assert!(lo * unit <= (value - std_dev).max(0) as u128);
        }
    }

    #[test]
    fn values_rescale_to_the_primarys_exponent_toward_the_protocol() {
        // $153.25 +- 0.041 at exponent -8
        assert_eq!(
            rescale(153_250_000_000_000_000_000, -8, false).unwrap(),
            15_325_000_000
        );
        assert_eq!(
            rescale(41_000_000_000_000_001, -8, true).unwrap(),
            4_100_001
        );
        assert_eq!(
            rescale(41_000_000_000_000_001, -8, false).unwrap(),
            4_100_000
        );
        assert_eq!(rescale(5, -20, false).unwrap(), 500);
        assert!(rescale(u128::MAX, -8, false).is_err());
    }
}
