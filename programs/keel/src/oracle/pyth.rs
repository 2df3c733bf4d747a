//! Pyth pull-oracle adapter: a `PriceUpdateV2` account -> a validated `OraclePrice`.
//!
//! ```text
//! valid iff  key == market.oracle.price_account                   (else OraclePriceAccountMismatch)
//!            owner == Pyth receiver program                       (else OracleWrongOwner)
//!            discriminator == PriceUpdateV2                        (else OracleInvalidAccount)
//!            feed_id == market.oracle.feed_id                      (else OracleFeedMismatch)
//!            verification_level == Full                            (else OracleNotFullyVerified)
//!            publish_time >= market.last_publish_time              (else OracleOlderThanUsed)
//!            publish_time + max_age >= now                         (else OracleStale)
//!            price > 0 and ema_price > 0                           (else OracleNonPositivePrice)
//!            conf * 10_000 <= max_conf_bps * price                 (else OracleConfidenceTooWide)
//! held       a stale (at most MAX_HELD_PRICE_AGE_SECS, an hour, old) or too-wide update that
//!            passes every other check: its price, confidence clamped to max_conf_bps (rules.rs
//!            holds it for health and liquidation only); older, the feed is gone (stale)
//! ```
//! The checks of verification, feed id and age are the Pyth SDK's own
//! (`get_price_no_older_than`); this file maps its errors to Keel's and adds the rest.
//! The account is pinned per market, so no caller chooses among updates (anyone can post old or
//! wide updates into accounts of their own); a stale price then means the feed itself is stale.
//! "Older than used" is a second line: the pinned account only moves forward under Pyth's push
//! oracle, and the check keeps any other writer of that account from going back in time.
use crate::errors::KeelError;
use crate::math::health::OraclePrice;
use crate::oracle::rules::{Reading, Unfresh};
use crate::state::market::OracleConfig;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use pyth_solana_receiver_sdk::error::GetPriceError;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

/// Read and validate the Pyth price in `info` for a market with oracle config `oracle`, refusing
/// an update published before `not_before`. `Err` for a structural refusal (account, owner,
/// discriminator, feed, verification, older than used, non-positive); otherwise the price or its
/// quality failure (stale, too uncertain), the update's publish time and its exponent.
pub fn load_pyth_checked(
    info: &AccountInfo,
    oracle: &OracleConfig,
    now: i64,
    not_before: i64,
) -> Result<(Reading, i64, i32)> {
    require_keys_eq!(
        *info.key,
        oracle.price_account,
        KeelError::OraclePriceAccountMismatch
    );
    require_keys_eq!(
        *info.owner,
        pyth_solana_receiver_sdk::ID,
        KeelError::OracleWrongOwner
    );
    let data = info.try_borrow_data()?;
    let update = read_price_update(&data)?;
    check_price_update(&update, oracle, now, not_before)
}

/// [`load_pyth_checked`]'s checks of a decoded update (the account's identity already checked).
pub fn check_price_update(
    update: &PriceUpdateV2,
    oracle: &OracleConfig,
    now: i64,
    not_before: i64,
) -> Result<(Reading, i64, i32)> {
    let msg = &update.price_message;
    match validate_price_update_since(update, oracle, now, not_before) {
        Ok(p) => Ok((Reading::Fresh(p), msg.publish_time, msg.exponent)),
        Err(e) => match Reading::from_quality_error(&e) {
            // an unusable update's exponent is no more trusted than its price: the caller maps
            // the error (oracle::unusable_primary)
            None | Some(Reading::Unusable(_)) => Err(e),
            // a stale update must still be one the market may read, and positive, to be "stale";
            // it is then held at its last price (rules.rs: health and liquidation only)
            Some(r) => {
                require!(
                    msg.price > 0 && msg.ema_price > 0,
                    KeelError::OracleNonPositivePrice
                );
                let why = match r {
                    Reading::TooWide => Unfresh::TooWide,
                    _ => Unfresh::Stale,
                };
                // a feed silent for longer than any refresh takes is gone, not held
                let age = now.saturating_sub(msg.publish_time);
                if why == Unfresh::Stale && age > crate::constants::MAX_HELD_PRICE_AGE_SECS {
                    return Ok((Reading::Stale, msg.publish_time, msg.exponent));
                }
                let held = Reading::Held(held_price(msg, oracle.max_conf_bps), why);
                Ok((held, msg.publish_time, msg.exponent))
            }
        },
    }
}

/// An update's last published price, its confidences clamped to `max_conf_bps` of the price
/// (rounded down: the band is the widest the market accepts, no wider). The caller has checked
/// both prices positive.
pub fn held_price(msg: &PriceFeedMessage, max_conf_bps: u16) -> OraclePrice {
    let clamp = |conf: u64, price: u64| {
        let most = price as u128 * max_conf_bps as u128 / 10_000;
        conf.min(most as u64)
    };
    let (price, ema_price) = (msg.price as u64, msg.ema_price as u64);
    OraclePrice {
        price,
        conf: clamp(msg.conf, price),
        ema_price,
        ema_conf: clamp(msg.ema_conf, ema_price),
        expo: msg.exponent,
        bound: None,
    }
}

/// True for a failure of the pinned account's contents (the feed's own state: stale, too
/// uncertain, or unusable, `rules::Unusable`), false for anything else (a wrong key refuses).
pub fn is_quality_error(e: &Error) -> bool {
    Reading::from_quality_error(e).is_some()
}

/// A `PriceUpdateV2` from account data, read at its fixed offsets (cheaper on SBF than Borsh's
/// reader; a test pins them to Borsh's layout):
/// `[discriminator 8][write_authority 32][verification 1 (+1 when Partial)][feed_id 32][price i64]`
/// `[conf u64][exponent i32][publish_time i64][prev_publish_time i64][ema_price i64][ema_conf u64]`
/// `[posted_slot u64]`.
pub fn read_price_update(data: &[u8]) -> Result<PriceUpdateV2> {
    let invalid = || error!(KeelError::OracleInvalidAccount);
    if data.len() < 8 || data[..8] != *PriceUpdateV2::DISCRIMINATOR {
        return Err(invalid());
    }
    let (verification_level, at) = match data.get(40) {
        Some(1) => (VerificationLevel::Full, 41),
        Some(0) => (
            VerificationLevel::Partial {
                num_signatures: *data.get(41).ok_or_else(invalid)?,
            },
            42,
        ),
        _ => return Err(invalid()),
    };
    let m = data.get(at..at + 84 + 8).ok_or_else(invalid)?;
    let word = |o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&m[o..o + 8]);
        b
    };
    let mut feed_id = [0u8; 32];
    feed_id.copy_from_slice(&m[..32]);
    let mut exponent = [0u8; 4];
    exponent.copy_from_slice(&m[48..52]);
    let mut authority = [0u8; 32];
    authority.copy_from_slice(&data[8..40]);
    Ok(PriceUpdateV2 {
        write_authority: Pubkey::new_from_array(authority),
        verification_level,
        price_message: PriceFeedMessage {
            feed_id,
            price: i64::from_le_bytes(word(32)),
            conf: u64::from_le_bytes(word(40)),
            exponent: i32::from_le_bytes(exponent),
            publish_time: i64::from_le_bytes(word(52)),
            prev_publish_time: i64::from_le_bytes(word(60)),
            ema_price: i64::from_le_bytes(word(68)),
            ema_conf: u64::from_le_bytes(word(76)),
        },
        posted_slot: u64::from_le_bytes(word(84)),
    })
}

/// Validate a deserialized `PriceUpdateV2` against the market's oracle config at time `now`,
/// refusing an update published before `not_before` (the newest publish time the market already
/// used).
pub fn validate_price_update_since(
    update: &PriceUpdateV2,
    oracle: &OracleConfig,
    now: i64,
    not_before: i64,
) -> Result<OraclePrice> {
    require!(
        update.price_message.feed_id == oracle.feed_id,
        KeelError::OracleFeedMismatch
    );
    require!(
        update.verification_level.gte(VerificationLevel::Full),
        KeelError::OracleNotFullyVerified
    );
    require!(
        update.price_message.publish_time >= not_before,
        KeelError::OracleOlderThanUsed
    );
    let clock = Clock {
        unix_timestamp: now,
        ..Clock::default()
    };
    let spot = update
        .get_price_no_older_than(&clock, oracle.max_age_secs as u64, &oracle.feed_id)
        .map_err(|e| match e {
            GetPriceError::MismatchedFeedId => error!(KeelError::OracleFeedMismatch),
            GetPriceError::PriceTooOld => error!(KeelError::OracleStale),
            GetPriceError::InsufficientVerificationLevel => {
                error!(KeelError::OracleNotFullyVerified)
            }
            _ => error!(KeelError::OracleInvalidAccount),
        })?;
    let msg = &update.price_message;
    require!(
        spot.price > 0 && msg.ema_price > 0,
        KeelError::OracleNonPositivePrice
    );
    let price = spot.price as u64;
    require!(
        (spot.conf as u128) * 10_000 <= (oracle.max_conf_bps as u128) * (price as u128),
        KeelError::OracleConfidenceTooWide
    );
    Ok(OraclePrice {
        price,
        conf: spot.conf,
        ema_price: msg.ema_price as u64,
        ema_conf: msg.ema_conf,
        expo: spot.exponent,
        bound: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use proptest::prelude::*;

    proptest! {
        /// The offsets are Borsh's: an update serialized as the Pyth receiver writes it reads back
        /// the same, fully or partially verified.
        #[test]
        fn offsets_match_the_borsh_layout(feed in any::<[u8; 32]>(), w in any::<[i64; 6]>(), full in any::<bool>(), sigs in any::<u8>()) {
            let update = PriceUpdateV2 {
                write_authority: Pubkey::new_from_array(feed),
                verification_level: if full {
                    VerificationLevel::Full
                } else {
                    VerificationLevel::Partial { num_signatures: sigs }
                },
                price_message: PriceFeedMessage {
                    feed_id: feed,
                    price: w[0],
                    conf: w[1] as u64,
                    exponent: w[2] as i32,
                    publish_time: w[3],
                    prev_publish_time: w[4],
                    ema_price: w[5],
                    ema_conf: w[0] as u64 ^ 77,
                },
                posted_slot: w[1] as u64 ^ 99,
            };
            let mut data = vec![];
            update.try_serialize(&mut data).unwrap();
            let read = read_price_update(&data).unwrap();
            prop_assert_eq!(read.write_authority, update.write_authority);
            prop_assert_eq!(read.posted_slot, update.posted_slot);
            prop_assert!(read.verification_level == update.verification_level);
            prop_assert!(read.price_message == update.price_message);
            // truncated or foreign data is refused, never misread
            prop_assert!(read_price_update(&data[..data.len() - 1]).is_err());
            data[0] ^= 1;
            prop_assert!(read_price_update(&data).is_err());
        }
    }
}
