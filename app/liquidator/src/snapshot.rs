//! One consistent read of a pool: its parameters, markets with validated prices, and every margin
//! account (found with the discriminator and pool memcmp filters).
use crate::config::Config;
use anchor_lang::prelude::AccountMeta;
use anchor_lang::prelude::Pubkey;
use keel::state::{DeleverageOrder, MarginAccount, Pool};
use keel_sdk::chain::{filters, Chain, ChainError};
use keel_sdk::instructions::{self as kix, MarketKeys, OracleAccounts};
use keel_sdk::oracle::{decode_price_update, decode_pull_feed};
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
        let pool_account = chain
            .account(&config.pool)
            .await?
            .ok_or_else(|| ChainError::Transport(format!("pool {} not found", config.pool)))?;
        let pool = keel_sdk::decode::pool(&pool_account.data)
            .map_err(|e| ChainError::Transport(format!("pool {}: {e:?}", config.pool)))?;
        let market_accounts = chain
            .program_accounts(&filters::markets(&config.pool))
            .await?;
        let mut markets = vec![];
        let mut price_accounts = vec![];
        for (key, acc) in market_accounts {
            let Ok(market) = keel_sdk::decode::market(&acc.data) else {
                continue;
            };
            let price_key = config
                .price_accounts
                .get(&key)
                .copied()
                .unwrap_or(market.config.oracle.price_account);
            let oracles = OracleAccounts::of(&market, price_key);
            let update = chain
                .account(&price_key)
                .await?
                .and_then(|a| decode_price_update(&a.data));
            let feed = match oracles.secondary {
                Some(s) => chain
                    .account(&s)
                    .await?
                    .filter(|a| a.owner == keel::oracle::switchboard::SWITCHBOARD_ON_DEMAND_ID)
                    .and_then(|a| decode_pull_feed(&a.data)),
                None => None,
            };
            let state = MarketState::with_feeds(key, market, update.as_ref(), feed.as_ref(), now);
            markets.push(state);
            price_accounts.push(oracles);
        }
        let accounts = chain
            .program_accounts(&filters::margin_accounts(&config.pool))
            .await?
            .into_iter()
            .filter_map(|(k, a)| {
                keel_sdk::decode::margin_account(&a.data)
                    .ok()
                    .map(|m| (k, m))
            })
            .collect();
        let orders = chain
            .program_accounts(&filters::orders(&config.pool))
            .await?
            .into_iter()
            .filter_map(|(k, a)| keel_sdk::decode::order(&a.data).ok().map(|o| (k, o)))
            .collect();
        Ok(Snapshot {
            pool,
            markets,
            price_accounts,
            accounts,
            orders,
            now,
        })
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
