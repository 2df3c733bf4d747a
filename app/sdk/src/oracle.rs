//! Pyth price accounts as clients see them: where a feed's price update lives, and decoding one.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

/// A Pyth `PriceUpdateV2` as a local chain or a fixture writes it.
#[derive(Clone, Copy, Debug)]
pub struct PriceSpec {
    /// Feed id.
    pub feed_id: [u8; 32],
    /// Spot mantissa.
    pub price: i64,
    /// Spot confidence.
    pub conf: u64,
    /// EMA mantissa.
    pub ema_price: i64,
    /// EMA confidence.
    pub ema_conf: u64,
    /// Exponent.
    pub expo: i32,
    /// Publish time.
    pub publish_time: i64,
    /// Verification level.
    pub verification: VerificationLevel,
    /// Account owner (the Pyth receiver, unless a test spoofs it).
    pub owner: Pubkey,
}

impl PriceSpec {
    /// A fully verified price with 0.1% confidence, EMA equal to spot, exponent -8, published `now`.
    pub fn new(feed_id: [u8; 32], price: i64, now: i64) -> PriceSpec {
        PriceSpec {
            feed_id,
            price,
            conf: (price / 1000) as u64,
            ema_price: price,
            ema_conf: (price / 1000) as u64,
            expo: -8,
            publish_time: now,
            verification: VerificationLevel::Full,
            owner: pyth_solana_receiver_sdk::ID,
        }
    }
}

/// The account data a `PriceUpdateV2` with `spec` has.
pub fn price_update_data(spec: &PriceSpec) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::default(),
        verification_level: spec.verification,
        price_message: PriceFeedMessage {
            feed_id: spec.feed_id,
            price: spec.price,
            conf: spec.conf,
            exponent: spec.expo,
            publish_time: spec.publish_time,
            prev_publish_time: spec.publish_time - 1,
            ema_price: spec.ema_price,
            ema_conf: spec.ema_conf,
        },
        posted_slot: 0,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update
        .try_serialize(&mut data)
        .expect("a PriceUpdateV2 serialises into a Vec");
    data
}

/// The Pyth push-oracle account of `feed_id` on `shard` (Pyth's sponsored feeds use shard 0).
pub fn pyth_feed_address(shard: u16, feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[&shard.to_le_bytes(), feed_id],
        &pyth_solana_receiver_sdk::PYTH_PUSH_ORACLE_ID,
    )
    .0
}

/// Decode a `PriceUpdateV2` account's data (discriminator checked); `None` if it is not one.
pub fn decode_price_update(data: &[u8]) -> Option<PriceUpdateV2> {
    PriceUpdateV2::try_deserialize(&mut &data[..]).ok()
}

/// The account data of a Switchboard On-Demand pull feed whose current result is `value` with
/// standard deviation `std_dev` (both 18 decimals) from `num_samples` answers, updated at
/// `last_update_timestamp`, every other field zero: what local chains and fixtures write.
pub fn pull_feed_data(
    feed_hash: [u8; 32],
    (value, std_dev): (i128, i128),
    last_update_timestamp: i64,
    num_samples: u8,
) -> Vec<u8> {
    use keel::oracle::switchboard::{offsets, PULL_FEED_DISCRIMINATOR};
    let mut data = vec![0u8; offsets::SIZE];
    data[..8].copy_from_slice(&PULL_FEED_DISCRIMINATOR);
    let mut put = |at: usize, bytes: &[u8]| data[at..at + bytes.len()].copy_from_slice(bytes);
    put(offsets::FEED_HASH, &feed_hash);
    put(
        offsets::LAST_UPDATE_TIMESTAMP,
        &last_update_timestamp.to_le_bytes(),
    );
    put(offsets::RESULT_VALUE, &value.to_le_bytes());
    put(offsets::RESULT_STD_DEV, &std_dev.to_le_bytes());
    put(offsets::RESULT_NUM_SAMPLES, &[num_samples]);
    data
}

/// Decode a Switchboard On-Demand pull feed's result (discriminator and size checked); `None` if
/// the data is not one.
pub fn decode_pull_feed(data: &[u8]) -> Option<keel::oracle::switchboard::PullFeedResult> {
    keel::oracle::switchboard::read_pull_feed(data).ok()
}
