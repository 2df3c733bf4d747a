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

/// Decode a Switchboard On-Demand pull feed's result (discriminator and size checked); `None` if
/// the data is not one.
pub fn decode_pull_feed(data: &[u8]) -> Option<keel::oracle::switchboard::PullFeedResult> {
    keel::oracle::switchboard::read_pull_feed(data).ok()
}
