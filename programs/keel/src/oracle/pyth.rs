//! Pyth pull-oracle adapter: a `PriceUpdateV2` account -> a validated `OraclePrice`.
//!
//! ```text
//! valid iff  owner == Pyth receiver program                       (else OracleWrongOwner)
//!            discriminator == PriceUpdateV2                        (else OracleInvalidAccount)
//!            verification_level == Full                            (else OracleNotFullyVerified)
//!            feed_id == market.oracle.feed_id                      (else OracleFeedMismatch)
//!            publish_time + max_age >= now                         (else OracleStale)
//!            price > 0 and ema_price > 0                           (else OracleNonPositivePrice)
//!            conf * 10_000 <= max_conf_bps * price                 (else OracleConfidenceTooWide)
//! ```
//! The checks of verification, feed id and age are the Pyth SDK's own
//! (`get_price_no_older_than`); this file maps its errors to Keel's and adds the rest.
use crate::errors::KeelError;
use crate::math::health::OraclePrice;
use crate::state::market::OracleConfig;
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::error::GetPriceError;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

/// Read and validate the Pyth price in `info` for a market with oracle config `oracle`.
pub fn load_pyth_price(info: &AccountInfo, oracle: &OracleConfig, now: i64) -> Result<OraclePrice> {
    require_keys_eq!(
        *info.owner,
        pyth_solana_receiver_sdk::ID,
        KeelError::OracleWrongOwner
    );
    let data = info.try_borrow_data()?;
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| error!(KeelError::OracleInvalidAccount))?;
    validate_price_update(&update, oracle, now)
}

/// Validate a deserialized `PriceUpdateV2` against the market's oracle config at time `now`.
pub fn validate_price_update(
    update: &PriceUpdateV2,
    oracle: &OracleConfig,
    now: i64,
) -> Result<OraclePrice> {
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
