//! The accounts a pool's snapshot is made of, as read in one pass or as the streaming mode's
//! notifications left them: the pool, its markets, their price accounts (Pyth and a second
//! source), the margin accounts and the deleverage orders.
use crate::config::Config;
use anchor_lang::prelude::Pubkey;
use keel::oracle::switchboard::{PullFeedResult, SWITCHBOARD_ON_DEMAND_ID};
use keel::state::{DeleverageOrder, MarginAccount, Market, Pool};
use keel_sdk::chain::{filters, Chain, ChainError};
use keel_sdk::instructions::OracleAccounts;
use keel_sdk::oracle::{decode_price_update, decode_pull_feed};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use solana_sdk::account::Account;
use std::collections::BTreeMap;

/// A pool's accounts, decoded.
#[derive(Clone)]
pub struct Book {
    /// The pool.
    pub pool: Pool,
    /// Its markets, by address.
    pub markets: BTreeMap<Pubkey, Market>,
    /// Pyth price updates, by price account (`None`: missing or not one).
    pub prices: BTreeMap<Pubkey, Option<PriceUpdateV2>>,
    /// Second-source feeds, by feed account (`None`: missing, foreign or not one).
    pub feeds: BTreeMap<Pubkey, Option<PullFeedResult>>,
    /// Margin accounts, by address.
    pub accounts: BTreeMap<Pubkey, MarginAccount>,
    /// Deleverage orders, by address.
    pub orders: BTreeMap<Pubkey, DeleverageOrder>,
}

/// What a notified account turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing the bot values.
    Irrelevant,
    /// A margin account or an order: re-value that account.
    Account,
    /// A market, a price, a feed or the pool: re-value every account.
    Prices,
}

fn feed(account: Option<&Account>) -> Option<PullFeedResult> {
    account
        .filter(|a| a.owner == SWITCHBOARD_ON_DEMAND_ID)
        .and_then(|a| decode_pull_feed(&a.data))
}

impl Book {
    /// The oracle accounts of `market` (the config's price account overrides the market's).
    pub fn oracles(config: &Config, key: &Pubkey, market: &Market) -> OracleAccounts {
        let price = config
            .price_accounts
            .get(key)
            .copied()
            .unwrap_or(market.config.oracle.price_account);
        OracleAccounts::of(market, price)
    }

    /// Read the pool named in `config`.
    pub async fn fetch(chain: &impl Chain, config: &Config) -> Result<Book, ChainError> {
        let pool_account = chain
            .account(&config.pool)
            .await?
            .ok_or_else(|| ChainError::Transport(format!("pool {} not found", config.pool)))?;
        let pool = keel_sdk::decode::pool(&pool_account.data)
            .map_err(|e| ChainError::Transport(format!("pool {}: {e:?}", config.pool)))?;
        let mut book = Book {
            pool,
            markets: BTreeMap::new(),
            prices: BTreeMap::new(),
            feeds: BTreeMap::new(),
            accounts: BTreeMap::new(),
            orders: BTreeMap::new(),
        };
        for (key, acc) in chain
            .program_accounts(&filters::markets(&config.pool))
            .await?
        {
            if let Ok(market) = keel_sdk::decode::market(&acc.data) {
                book.markets.insert(key, market);
            }
        }
        let keys = book.oracle_keys(config);
        for (key, account) in keys.iter().zip(chain.accounts(&keys).await?) {
            book.set_oracle(config, key, account.as_ref());
        }
        for (key, acc) in chain
            .program_accounts(&filters::margin_accounts(&config.pool))
            .await?
        {
            if let Ok(m) = keel_sdk::decode::margin_account(&acc.data) {
                book.accounts.insert(key, m);
            }
        }
        for (key, acc) in chain
            .program_accounts(&filters::orders(&config.pool))
            .await?
        {
            if let Ok(o) = keel_sdk::decode::order(&acc.data) {
                book.orders.insert(key, o);
            }
        }
        Ok(book)
    }

    /// Every price and feed account the markets read (what the streaming mode subscribes to).
    pub fn oracle_keys(&self, config: &Config) -> Vec<Pubkey> {
        let mut keys = vec![];
        for (key, market) in &self.markets {
            let o = Book::oracles(config, key, market);
            keys.push(o.primary);
            keys.extend(o.secondary);
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Record `key`'s new state if it is one of the markets' price or feed accounts.
    fn set_oracle(&mut self, config: &Config, key: &Pubkey, account: Option<&Account>) -> bool {
        let mut hit = false;
        for (mkey, market) in &self.markets {
            let o = Book::oracles(config, mkey, market);
            if o.primary == *key {
                let update = account.and_then(|a| decode_price_update(&a.data));
                self.prices.insert(*key, update);
                hit = true;
            }
            if o.secondary == Some(*key) {
                self.feeds.insert(*key, feed(account));
                hit = true;
            }
        }
        hit
    }

    /// Apply a notification that `key` now holds `account` (`None`: closed).
    pub fn apply(&mut self, config: &Config, key: &Pubkey, account: Option<&Account>) -> Change {
        if self.set_oracle(config, key, account) {
            return Change::Prices;
        }
        let data = account.map(|a| a.data.as_slice()).unwrap_or_default();
        let of_pool = |f: &[keel_sdk::chain::Filter]| f.iter().all(|f| f.matches(data));
        if *key == config.pool {
            if let Ok(pool) = keel_sdk::decode::pool(data) {
                self.pool = pool;
                return Change::Prices;
            }
        }
        if of_pool(&filters::margin_accounts(&config.pool)) {
            if let Ok(m) = keel_sdk::decode::margin_account(data) {
                self.accounts.insert(*key, m);
                return Change::Account;
            }
        }
        if of_pool(&filters::orders(&config.pool)) {
            if let Ok(o) = keel_sdk::decode::order(data) {
                self.orders.insert(*key, o);
                return Change::Account;
            }
        }
        if of_pool(&filters::markets(&config.pool)) {
            if let Ok(m) = keel_sdk::decode::market(data) {
                self.markets.insert(*key, m);
                return Change::Prices;
            }
        }
        // a closed (or reassigned) account of ours: forget it
        if self.accounts.remove(key).is_some() || self.orders.remove(key).is_some() {
            return Change::Account;
        }
        Change::Irrelevant
    }
}
