//! Pyth `PriceUpdateV2` accounts, written straight into the bank as the Pyth receiver would.
use crate::env::TestEnv;
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::{Account, AccountSharedData};

/// What to write into a price account.
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
        write_authority: Pubkey::new_unique(),
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
    update.try_serialize(&mut data).unwrap();
    data
}

/// Write (or overwrite) the price account at `key`.
pub fn write_price(env: &mut TestEnv, key: Pubkey, spec: &PriceSpec) {
    let account = Account {
        lamports: 10_000_000,
        data: price_update_data(spec),
        owner: spec.owner,
        executable: false,
        rent_epoch: 0,
    };
    env.set_account(&key, &AccountSharedData::from(account));
}
