//! Switchboard On-Demand pull feeds, written straight into the bank as the Switchboard program
//! would leave them after an update, and a world's markets given one as their second source
//! through governance (queued, past the timelock, executed).
use crate::env::TestEnv;
use crate::world::World;
use anchor_lang::prelude::Pubkey;
use keel::oracle::switchboard::SWITCHBOARD_ON_DEMAND_ID;
use keel::state::ChangeKind;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::signature::Keypair;
use solana_sdk::transaction::TransactionError;

/// Decimals of a pull feed's values.
pub const FEED_DECIMALS: u32 = 18;

/// What to write into a pull feed account.
#[derive(Clone, Copy, Debug)]
pub struct FeedSpec {
    /// The feed's job hash.
    pub feed_hash: [u8; 32],
    /// The median answer, 18 decimals.
    pub value: i128,
    /// The answers' standard deviation, 18 decimals.
    pub std_dev: i128,
    /// Unix time of the update.
    pub last_update_timestamp: i64,
    /// How many answers the result has.
    pub num_samples: u8,
    /// Account owner (the Switchboard program, unless a test spoofs it).
    pub owner: Pubkey,
}

impl FeedSpec {
    /// A feed at `price` (a mantissa at exponent `expo`) with 0.1 % standard deviation, 3 answers,
    /// updated `now`.
    pub fn new(feed_hash: [u8; 32], price: i64, expo: i32, now: i64) -> FeedSpec {
        let scale = 10i128.pow((FEED_DECIMALS as i32 + expo) as u32);
        let value = price as i128 * scale;
        FeedSpec {
            feed_hash,
            value,
            std_dev: value / 1_000,
            last_update_timestamp: now,
            num_samples: 3,
            owner: SWITCHBOARD_ON_DEMAND_ID,
        }
    }
}

/// The account data of a `PullFeedAccountData` with `spec` (every other field zero).
pub fn pull_feed_data(spec: &FeedSpec) -> Vec<u8> {
    keel_sdk::oracle::pull_feed_data(
        spec.feed_hash,
        (spec.value, spec.std_dev),
        spec.last_update_timestamp,
        spec.num_samples,
    )
}

/// Write (or overwrite) the pull feed account at `key`.
pub fn write_feed(env: &mut TestEnv, key: Pubkey, spec: &FeedSpec) {
    let account = Account {
        lamports: 30_000_000,
        data: pull_feed_data(spec),
        owner: spec.owner,
        executable: false,
        rent_epoch: 0,
    };
    env.set_account(&key, &AccountSharedData::from(account));
}

impl World {
    /// Give market `m` a Switchboard second source through governance: the change is queued,
    /// the pool's timelock passes, anyone executes it. The feed is published at `price` first,
    /// and every market's Pyth price is republished after the wait (`prices`).
    pub async fn add_secondary(
        &mut self,
        m: usize,
        price: i64,
        prices: &[i64],
    ) -> Result<(), TransactionError> {
        let feed = self.keys.keypair();
        let feed_hash = [0xB0 + m as u8; 32];
        let mut config = self.market(m).await.config;
        config.secondary = keel_sdk::defaults::secondary_source(
            solana_sdk::signature::Signer::pubkey(&feed),
            feed_hash,
        );
        let market = self.markets[m].keys.market;
        let change = self
            .queue(ChangeKind::MarketConfig { market, config })
            .await?;
        let delay = self.pool_state().await.timelock_delay_secs;
        self.env.warp(delay).await;
        self.markets[m].secondary = Some((config.secondary.feed, feed_hash));
        self.set_secondary_price(m, price).await;
        self.refresh_prices(prices).await;
        self.execute(&Keypair::new(), change, Some(m)).await?;
        Ok(())
    }

    /// Publish `price` (a mantissa at the world's exponent, 0.1 % deviation) on market `m`'s
    /// second source, now.
    pub async fn set_secondary_price(&mut self, m: usize, price: i64) {
        let spec = self.feed_spec(m, price).await;
        self.write_feed(m, &spec);
    }

    /// A pull feed spec for market `m` at `price`, updated now (to be modified by the caller).
    pub async fn feed_spec(&mut self, m: usize, price: i64) -> FeedSpec {
        let now = self.env.now().await;
        self.feed_spec_at(m, price, now)
    }

    /// A pull feed spec for market `m` at `price`, updated at `time`.
    pub fn feed_spec_at(&self, m: usize, price: i64, time: i64) -> FeedSpec {
        let (_, hash) = self.markets[m]
            .secondary
            .expect("market has a second source");
        FeedSpec::new(hash, price, crate::world::EXPO, time)
    }

    /// Write an arbitrary feed spec into market `m`'s second source.
    pub fn write_feed(&mut self, m: usize, spec: &FeedSpec) {
        let (key, _) = self.markets[m]
            .secondary
            .expect("market has a second source");
        write_feed(&mut self.env, key, spec);
    }
}
