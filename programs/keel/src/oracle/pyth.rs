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
//! ```
//! The checks of verification, feed id and age are the Pyth SDK's own
//! (`get_price_no_older_than`); this file maps its errors to Keel's and adds the rest.
//! The account is pinned per market, so no caller chooses among updates (anyone can post old or
//! wide updates into accounts of their own); a stale price then means the feed itself is stale.
//! "Older than used" is a second line: the pinned account only moves forward under Pyth's push
//! oracle, and the check keeps any other writer of that account from going back in time.
use crate::errors::KeelError;
use crate::math::health::OraclePrice;
use crate::state::market::OracleConfig;
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::error::GetPriceError;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// Read and validate the Pyth price in `info` for a market with oracle config `oracle`, refusing
/// an update published before `not_before`; returns the price and its publish time.
pub fn load_pyth_price(
    info: &AccountInfo,
    oracle: &OracleConfig,
    now: i64,
    not_before: i64,
) -> Result<(OraclePrice, i64)> {
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
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| error!(KeelError::OracleInvalidAccount))?;
    let price = validate_price_update_since(&update, oracle, now, not_before)?;
    Ok((price, update.price_message.publish_time))
}

/// Validate a deserialized `PriceUpdateV2` against the market's oracle config at time `now`.
pub fn validate_price_update(
    update: &PriceUpdateV2,
    oracle: &OracleConfig,
    now: i64,
) -> Result<OraclePrice> {
    validate_price_update_since(update, oracle, now, i64::MIN)
}

/// As [`validate_price_update`], refusing an update published before `not_before` (the newest
/// publish time the market already used).
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
    })
}
