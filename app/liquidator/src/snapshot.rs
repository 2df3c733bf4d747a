//! One consistent read of a pool: its parameters, markets with validated prices, and every margin
//! account (found with the discriminator and pool memcmp filters).
use crate::book::Book;
use crate::config::Config;
use anchor_lang::prelude::AccountMeta;
use anchor_lang::prelude::Pubkey;
use keel::state::{DeleverageOrder, MarginAccount, Pool};
use keel_sdk::chain::{Chain, ChainError};
use keel_sdk::instructions::{self as kix, MarketKeys, OracleAccounts};
use keel_sdk::risk::MarketState;

/// A pool as read at one moment.
pub struct Snapshot {
    /// The pool's state.
    pub pool: Pool,
    /// Its markets with their prices.
    pub markets: Vec<MarketState>,
    /// Price accounts of each market, in `markets` order.
    pub price_accounts: Vec<OracleAccounts>,
    /// Every margin account of the pool.
    pub accounts: Vec<(Pubkey, MarginAccount)>,
    /// Every deleverage order of the pool.
    pub orders: Vec<(Pubkey, DeleverageOrder)>,
    /// The cluster's unix time of the read.
    pub now: i64,
}

impl Snapshot {
    /// Read the pool named in `config`.
    pub async fn load(chain: &impl Chain, config: &Config) -> Result<Snapshot, ChainError> {
        let now = chain.clock().await?.unix_timestamp;
        Ok(Book::fetch(chain, config).await?.snapshot(config, now))
    }

    /// Index of `market` in `markets`.
    pub fn market_index(&self, market: &Pubkey) -> Option<usize> {
        self.markets.iter().position(|m| m.key == *market)
    }

    /// The token-side keys of market `i` (snapshot order) of `pool`.
    pub fn market_keys(&self, pool: Pubkey, i: usize) -> MarketKeys {
        let m = &self.markets[i];
        MarketKeys {
            pool,
            market: m.key,
            vault: m.market.vault,
            mint: m.market.mint,
            token_program: m.market.token_program,
        }
    }

    /// The health accounts of `account`'s positions, with this read's price accounts.
    pub fn health_metas(&self, account: &MarginAccount) -> Vec<AccountMeta> {
        kix::health_accounts(&kix::position_markets(account), |m| {
            self.market_index(m)
                .map(|i| self.price_accounts[i])
                .unwrap_or_default()
        })
    }
}

impl Book {
    /// The snapshot these accounts make at cluster time `now`.
    pub fn snapshot(&self, config: &Config, now: i64) -> Snapshot {
        let mut markets = vec![];
        let mut price_accounts = vec![];
        for (key, market) in &self.markets {
            let oracles = Book::oracles(config, key, market);
            let update = self.prices.get(&oracles.primary).cloned().flatten();
            let feed = oracles
                .secondary
                .and_then(|s| self.feeds.get(&s).copied().flatten());
            markets.push(MarketState::with_feeds(
                *key,
                market.clone(),
                update.as_ref(),
                feed.as_ref(),
                now,
            ));
            price_accounts.push(oracles);
        }
        Snapshot {
            pool: self.pool.clone(),
            markets,
            price_accounts,
            accounts: self.accounts.iter().map(|(k, a)| (*k, *a)).collect(),
            orders: self.orders.iter().map(|(k, o)| (*k, o.clone())).collect(),
            now,
        }
    }
}
