//! A pool listed on a local cluster, and what `pool.json` holds about it.
//!
//! Prices are mantissas at exponent -8 (Pyth's for USD pairs); a market's feed id is its index
//! plus one, repeated (no Pyth on a local cluster: the ids only have to differ).
use super::Surfnet;
use crate::chain::{Chain, ChainError, RpcChain};
use crate::instructions::{self as kix, MarketKeys};
use crate::oracle::{decode_price_update, PriceSpec};
use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::{
    get_associated_token_address_with_program_id, spl_associated_token_account,
};
use anchor_spl::token_2022::spl_token_2022;
use keel::math::liquidation::LiquidationConfig;
use keel::state::MarketConfig;
use serde_json::{json, Value};
use solana_sdk::signature::{Keypair, Signer};
use std::str::FromStr;

/// Compute units a setup transaction may use.
const SETUP_CU: u32 = 400_000;
/// Bytes of an SPL (or extension-free Token-2022) mint.
const MINT_LEN: u64 = 82;

/// One market to list.
#[derive(Clone, Debug)]
pub struct Listing {
    /// Its symbol (SOL).
    pub symbol: String,
    /// Its mint's decimals.
    pub decimals: u8,
    /// A Token-2022 mint rather than an SPL Token one.
    pub token_2022: bool,
    /// Opening price, mantissa at exponent -8.
    pub price: i64,
    /// Its configuration; the oracle's feed and price account are set by the listing.
    pub config: MarketConfig,
}

/// Who a local pool belongs to.
pub struct Roles<'a> {
    /// Creates it (the pool's address derives from it).
    pub creator: &'a Keypair,
    /// Its admin, and the authority of every test mint (the faucet).
    pub admin: &'a Keypair,
    /// Its guardian.
    pub guardian: Pubkey,
}

/// A listed market, as `pool.json` describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalMarket {
    /// Symbol.
    pub symbol: String,
    /// Market account.
    pub market: Pubkey,
    /// Its test mint (the admin mints).
    pub mint: Pubkey,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// The mint's decimals.
    pub decimals: u8,
    /// Its Pyth price account.
    pub price_account: Pubkey,
    /// Its Pyth feed id.
    pub feed_id: [u8; 32],
}

/// A pool on a local cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalPool {
    /// The pool.
    pub pool: Pubkey,
    /// Its admin: the mint authority of every test mint too.
    pub admin: Pubkey,
    /// Its markets, in listing order.
    pub markets: Vec<LocalMarket>,
}

fn bad(what: &str) -> ChainError {
    ChainError::Transport(format!("pool description: {what}"))
}

fn key(v: &Value, field: &str) -> Result<Pubkey, ChainError> {
    v[field]
        .as_str()
        .and_then(|s| Pubkey::from_str(s).ok())
        .ok_or_else(|| bad(&format!("'{field}' is not a public key")))
}

impl LocalPool {
    /// Deploy `keel_so` on the cluster at `url`, create one mint (at the next of `mints`) and
    /// one price account per listing, and list them in a new pool (pool id 0, timelock 0: a local
    /// pool's admin acts at once) of `roles`; the creator and the admin are airdropped 1,000 SOL.
    pub async fn create(
        url: &str,
        keel_so: &[u8],
        roles: Roles<'_>,
        liquidation: LiquidationConfig,
        listings: &[Listing],
        mints: Vec<Keypair>,
    ) -> Result<LocalPool, ChainError> {
        if mints.len() < listings.len() {
            return Err(bad("fewer mint keys than listings"));
        }
        let (creator, admin) = (roles.creator, roles.admin);
        let surfnet = Surfnet::new(url);
        surfnet.write_program(&keel::ID, keel_so).await?;
        surfnet
            .airdrop(&creator.pubkey(), 1_000_000_000_000)
            .await?;
        surfnet.airdrop(&admin.pubkey(), 1_000_000_000_000).await?;
        let chain = RpcChain::new(url, admin.insecure_clone());
        let now = chain.clock().await?.unix_timestamp;
        let init = kix::init_pool(
            creator.pubkey(),
            0,
            admin.pubkey(),
            roles.guardian,
            0,
            liquidation,
        );
        chain.send(&[init], &[creator], SETUP_CU).await?;
        let pool = crate::pda::pool(&creator.pubkey(), 0);
        let mut markets = vec![];
        for ((i, l), mint) in listings.iter().enumerate().zip(mints) {
            let token_program = if l.token_2022 {
                anchor_spl::token_2022::ID
            } else {
                anchor_spl::token::ID
            };
            let feed_id = [i as u8 + 1; 32];
            let mut config = l.config;
            config.oracle.feed_id = feed_id;
            config.oracle.price_account = crate::oracle::pyth_feed_address(0, &feed_id);
            surfnet
                .write_price(
                    &config.oracle.price_account,
                    &PriceSpec::new(feed_id, l.price, now),
                )
                .await?;
            let rent = 1_461_600; // rent-exempt minimum of 82 bytes
            let create = solana_system_interface::instruction::create_account(
                &admin.pubkey(),
                &mint.pubkey(),
                rent,
                MINT_LEN,
                &token_program,
            );
            let init_mint = spl_token_2022::instruction::initialize_mint2(
                &token_program,
                &mint.pubkey(),
                &admin.pubkey(),
                None,
                l.decimals,
            )
            .map_err(|e| bad(&e.to_string()))?;
            let keys = MarketKeys::new(&pool, mint.pubkey(), token_program);
            let add = kix::add_market(admin.pubkey(), admin.pubkey(), pool, &keys, config);
            chain
                .send(&[create, init_mint, add], &[&mint], SETUP_CU)
                .await?;
            markets.push(LocalMarket {
                symbol: l.symbol.clone(),
                market: keys.market,
                mint: mint.pubkey(),
                token_program,
                decimals: l.decimals,
                price_account: config.oracle.price_account,
                feed_id,
            });
        }
        Ok(LocalPool {
            pool,
            admin: admin.pubkey(),
            markets,
        })
    }

    /// The market a user names: a symbol (any case), a market or a mint.
    pub fn market(&self, name: &str) -> Option<&LocalMarket> {
        self.markets.iter().find(|m| {
            m.symbol.eq_ignore_ascii_case(name)
                || m.market.to_string() == name
                || m.mint.to_string() == name
        })
    }

    /// Publish `price` (mantissa at exponent -8, 0.1% confidence) for `market` at the cluster's
    /// time.
    pub async fn set_price(
        &self,
        chain: &impl Chain,
        surfnet: &Surfnet,
        market: &LocalMarket,
        price: i64,
    ) -> Result<(), ChainError> {
        let now = chain.clock().await?.unix_timestamp;
        surfnet
            .write_price(
                &market.price_account,
                &PriceSpec::new(market.feed_id, price, now),
            )
            .await
    }

    /// Publish every market's current price again at the cluster's time (what Pyth's publishers
    /// do: a price stays fresh until someone moves it). Returns the cluster time used.
    pub async fn republish(
        &self,
        chain: &impl Chain,
        surfnet: &Surfnet,
    ) -> Result<i64, ChainError> {
        let now = chain.clock().await?.unix_timestamp;
        let keys: Vec<Pubkey> = self.markets.iter().map(|m| m.price_account).collect();
        for (m, account) in self.markets.iter().zip(chain.accounts(&keys).await?) {
            let Some(update) = account.and_then(|a| decode_price_update(&a.data)) else {
                continue;
            };
            let msg = update.price_message;
            if msg.publish_time >= now {
                continue;
            }
            let mut spec = PriceSpec::new(m.feed_id, msg.price, now);
            (spec.conf, spec.ema_price, spec.ema_conf, spec.expo) =
                (msg.conf, msg.ema_price, msg.ema_conf, msg.exponent);
            surfnet.write_price(&m.price_account, &spec).await?;
        }
        Ok(now)
    }

    /// Mint `units` of `market` to `owner`'s associated token account (created if missing),
    /// signed by the admin (`chain`'s payer). Returns the account and its balance.
    pub async fn mint_to(
        &self,
        chain: &impl Chain,
        market: &LocalMarket,
        owner: &Pubkey,
        units: u64,
    ) -> Result<(Pubkey, u64), ChainError> {
        let admin = chain.payer().pubkey();
        let (mint, program) = (market.mint, market.token_program);
        let ata = get_associated_token_address_with_program_id(owner, &mint, &program);
        let mut ixs = vec![
            spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                &admin, owner, &mint, &program,
            ),
        ];
        if units > 0 {
            ixs.push(
                spl_token_2022::instruction::mint_to(&program, &mint, &ata, &admin, &[], units)
                    .map_err(|e| bad(&e.to_string()))?,
            );
        }
        chain.send(&ixs, &[], SETUP_CU).await?;
        let account = chain
            .account(&ata)
            .await?
            .ok_or_else(|| bad("the token account did not appear"))?;
        let balance = account
            .data
            .get(64..72)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
            .unwrap_or_default();
        Ok((ata, balance))
    }

    /// `pool.json`.
    pub fn to_json(&self) -> Value {
        let markets: Vec<Value> = self
            .markets
            .iter()
            .map(|m| {
                json!({
                    "symbol": m.symbol,
                    "market": m.market.to_string(),
                    "mint": m.mint.to_string(),
                    "token_program": m.token_program.to_string(),
                    "decimals": m.decimals,
                    "price_account": m.price_account.to_string(),
                    "feed_id": m.feed_id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                })
            })
            .collect();
        json!({ "pool": self.pool.to_string(), "admin": self.admin.to_string(), "markets": markets })
    }

    /// Read `pool.json`.
    pub fn from_json(v: &Value) -> Result<LocalPool, ChainError> {
        let markets = v["markets"]
            .as_array()
            .ok_or_else(|| bad("no 'markets'"))?
            .iter()
            .map(|m| {
                let hex = m["feed_id"].as_str().ok_or_else(|| bad("no 'feed_id'"))?;
                let mut feed_id = [0u8; 32];
                if hex.len() != 64 {
                    return Err(bad("'feed_id' is not 32 bytes of hex"));
                }
                for (i, b) in feed_id.iter_mut().enumerate() {
                    *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                        .map_err(|_| bad("'feed_id' is not hex"))?;
                }
                Ok(LocalMarket {
                    symbol: m["symbol"].as_str().unwrap_or_default().to_string(),
                    market: key(m, "market")?,
                    mint: key(m, "mint")?,
                    token_program: key(m, "token_program")?,
                    decimals: m["decimals"].as_u64().ok_or_else(|| bad("no 'decimals'"))? as u8,
                    price_account: key(m, "price_account")?,
                    feed_id,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(LocalPool {
            pool: key(v, "pool")?,
            admin: key(v, "admin")?,
            markets,
        })
    }
}
