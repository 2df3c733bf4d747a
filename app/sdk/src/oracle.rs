//! Pyth price accounts as clients see them: where a feed's price update lives, and decoding one.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

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
