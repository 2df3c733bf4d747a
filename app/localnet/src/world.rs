//! `World`: a pool with markets, prices and traders, and one method per user action. Every test
//! scenario is written against it, and `invariants::check` runs over it.
use crate::env::{TestEnv, TxOutcome};
use crate::pyth::{write_price, PriceSpec};
use crate::tokens::{create_mint_at, create_token_account, mint_to, MintExtension};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use keel::math::liquidation::LiquidationConfig;
use keel::state::{MarginAccount, Market, MarketConfig};
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::{decode, pda};
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;

/// Price exponent used by every test feed.
pub const EXPO: i32 = -8;
/// One dollar as a price mantissa at `EXPO`.
pub const USD: i64 = 100_000_000;

/// What market to list.
#[derive(Clone, Copy, Debug)]
pub struct MarketSpec {
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Initial price mantissa (exponent `EXPO`).
    pub price: i64,
}

/// A listed market and its price account.
#[derive(Clone, Copy, Debug)]
pub struct MarketFixture {
    /// Market keys.
    pub keys: MarketKeys,
    /// The Pyth price account the tests write.
    pub price_account: Pubkey,
    /// Its feed id.
    pub feed_id: [u8; 32],
    /// Mint decimals.
    pub decimals: u8,
    /// Its second source, once given one (switchboard.rs): the pull feed and its hash.
    pub secondary: Option<(Pubkey, [u8; 32])>,
}

/// A trader: wallet, one margin account, a token account per market.
pub struct Trader {
    /// Wallet.
    pub key: Keypair,
    /// Margin account (id 0).
    pub margin: Pubkey,
    /// Token account per market, in market order.
    pub tokens: Vec<Pubkey>,
}

/// A pool with markets and traders. Its timelock delay starts at zero so listings take effect at
/// once; the governance tests raise it.
pub struct World {
    /// The bank.
    pub env: TestEnv,
    /// Pool admin.
    pub admin: Keypair,
    /// Pool guardian.
    pub guardian: Keypair,
    /// Mint authority of every test mint.
    pub mint_authority: Keypair,
    /// The pool.
    pub pool: Pubkey,
    /// Markets, in listing order.
    pub markets: Vec<MarketFixture>,
    /// Every margin account opened, for the invariant checker.
    pub accounts: Vec<Pubkey>,
    /// Every market and margin account this world created, for in-process SDK chains.
    pub index: keel_sdk::chain::AccountIndex,
    /// Per market, as of the last invariant check: (deposit index, borrow index, socialised).
    pub last_indices: Vec<(u128, u128, u128)>,
    /// Where this world's keys come from.
    pub keys: KeySource,
}

/// How to build a world.
pub struct WorldOptions {
    /// Random keys, or a seed for reproducible addresses (the pool is then created by a seeded
    /// creator, the price accounts sit at Pyth's sponsored-feed addresses, and the clock starts
    /// at [`SEEDED_START_TIME`]).
    pub seed: Option<u64>,
    /// The pool's liquidation parameters.
    pub liquidation: LiquidationConfig,
}

/// Where a seeded world's clock starts: 2020-03-12 00:00 UTC, the morning of Black Thursday.
pub const SEEDED_START_TIME: i64 = 1_583_971_200;

pub use crate::keys::KeySource;
pub use keel_sdk::defaults::{default_config, default_liquidation};

impl World {
    /// Start a bank and a pool with one market per spec, each with a fresh price.
    pub async fn new(specs: &[MarketSpec]) -> World {
        let options = WorldOptions {
            seed: None,
            liquidation: default_liquidation(),
        };
        let mut world = World::start(options).await;
        for spec in specs {
            world
                .list_market(spec, MintExtension::None, |_| {})
                .await
                .expect("add_market");
        }
        world
    }

    /// Start a bank and an empty pool as `options` say.
    pub async fn start(options: WorldOptions) -> World {
        let mut env = TestEnv::start().await;
        let mut keys = match options.seed {
            Some(seed) => KeySource::Seeded { seed, next: 0 },
            None => KeySource::Random,
        };
        let creator = match options.seed {
            Some(_) => {
                env.set_time(SEEDED_START_TIME).await;
                let creator = keys.keypair();
                fund(&mut env, &creator.pubkey(), 100_000_000_000);
                creator
            }
            None => env.payer(),
        };
        let admin = keys.keypair();
        let mint_authority = keys.keypair();
        let guardian = keys.keypair();
        env.send(
            &[kix::init_pool(
                creator.pubkey(),
                0,
                admin.pubkey(),
                guardian.pubkey(),
                0,
                options.liquidation,
            )],
            &[&creator],
        )
        .await
        .expect("init_pool");
        let pool = pda::pool(&creator.pubkey(), 0);
        World {
            env,
            admin,
            guardian,
            mint_authority,
            pool,
            markets: vec![],
            accounts: vec![],
            index: Default::default(),
            last_indices: vec![],
            keys,
        }
    }

    /// List a market for `spec` (with `tweak` applied to the default config); returns its index.
    pub async fn list_market(
        &mut self,
        spec: &MarketSpec,
        extension: MintExtension,
        tweak: impl FnOnce(&mut MarketConfig),
    ) -> Result<usize, TransactionError> {
        let authority = self.mint_authority.pubkey();
        let mint_key = self.keys.keypair();
        let mint = create_mint_at(
            &mut self.env,
            &mint_key,
            spec.token_program,
            spec.decimals,
            &authority,
            extension,
        )
        .await;
        let index = self.markets.len();
        let feed_id = [index as u8 + 1; 32];
        let keys = MarketKeys::new(&self.pool, mint, spec.token_program);
        let mut config = default_config(feed_id);
        tweak(&mut config);
        let payer = self.env.payer();
        let ix = kix::add_market(
            self.admin.pubkey(),
            payer.pubkey(),
            self.pool,
            &keys,
            config,
        );
        let admin = self.admin.insecure_clone();
        self.env.send(&[ix], &[&admin]).await?;
        let fixture = MarketFixture {
            keys,
            price_account: config.oracle.price_account,
            feed_id,
            decimals: spec.decimals,
            secondary: config
                .secondary
                .is_set()
                .then_some((config.secondary.feed, config.secondary.feed_hash)),
        };
        self.markets.push(fixture);
        self.index.lock().unwrap().insert(keys.market);
        self.last_indices.push((0, 0, 0));
        self.set_price(index, spec.price).await;
        Ok(index)
    }

    /// Publish `price` (mantissa at `EXPO`, 0.1% confidence, EMA = spot) for market `m`, now.
    pub async fn set_price(&mut self, m: usize, price: i64) {
        let now = self.env.now().await;
        let spec = PriceSpec::new(self.markets[m].feed_id, price, now);
        self.write_price(m, &spec);
    }

    /// Write an arbitrary price spec into market `m`'s price account.
    pub fn write_price(&mut self, m: usize, spec: &PriceSpec) {
        let key = self.markets[m].price_account;
        write_price(&mut self.env, key, spec);
    }

    /// A price spec for market `m` published now (to be modified by the caller).
    pub async fn price_spec(&mut self, m: usize, price: i64) -> PriceSpec {
        let now = self.env.now().await;
        PriceSpec::new(self.markets[m].feed_id, price, now)
    }

    /// A new trader with margin account 0 and `funding[m]` tokens of each market.
    pub async fn trader(&mut self, funding: &[u64]) -> Trader {
        let key = self.keys.keypair();
        let payer = self.env.payer();
        self.env
            .send(
                &[kix::open_account(
                    key.pubkey(),
                    payer.pubkey(),
                    self.pool,
                    0,
                )],
                &[&key],
            )
            .await
            .expect("open_account");
        let margin = pda::margin_account(&self.pool, &key.pubkey(), 0);
        self.accounts.push(margin);
        self.index.lock().unwrap().insert(margin);
        let mut tokens = vec![];
        for m in 0..self.markets.len() {
            let keys = self.markets[m].keys;
            let account =
                create_token_account(&mut self.env, keys.token_program, &keys.mint, &key.pubkey())
                    .await;
            tokens.push(account);
        }
        let trader = Trader {
            key,
            margin,
            tokens,
        };
        for (m, amount) in funding.iter().enumerate().take(self.markets.len()) {
            if *amount > 0 {
                self.give(&trader, m, *amount).await;
            }
        }
        trader
    }

    /// Mint `amount` of market `m`'s token into the trader's token account (a faucet).
    pub async fn give(&mut self, t: &Trader, m: usize, amount: u64) {
        let keys = self.markets[m].keys;
        let authority = self.mint_authority.insecure_clone();
        mint_to(
            &mut self.env,
            keys.token_program,
            &keys.mint,
            &authority,
            &t.tokens[m],
            amount,
        )
        .await;
    }

    /// Decoded market `m`.
    pub async fn market(&mut self, m: usize) -> Market {
        let key = self.markets[m].keys.market;
        decode::market(&self.env.account(key).await.expect("market").data).unwrap()
    }

    /// An SDK chain on this world's bank paying with `payer` (direct calls on the bank: what
    /// the simulator runs on).
    pub fn chain(&self, payer: &Keypair) -> crate::bank_chain::BankChain {
        crate::bank_chain::BankChain::new(self.env.ledger.clone(), payer.insecure_clone())
    }

    /// The SDK's own in-process backend (`BanksChain`, through a BanksServer) on this world's
    /// bank, sharing the world's account index.
    pub async fn banks_chain(&self, payer: &Keypair) -> keel_sdk::chain::BanksChain {
        keel_sdk::chain::BanksChain::with_index(
            self.env.banks_client().await,
            payer.insecure_clone(),
            self.index.clone(),
        )
    }

    /// Decoded pool.
    pub async fn pool_state(&mut self) -> keel::state::Pool {
        let key = self.pool;
        decode::pool(&self.env.account(key).await.expect("pool").data).unwrap()
    }

    /// Queue `kind` as the admin; returns the change's address.
    pub async fn queue(
        &mut self,
        kind: keel::state::ChangeKind,
    ) -> Result<Pubkey, TransactionError> {
        let id = self.pool_state().await.next_change_id;
        let payer = self.env.payer().pubkey();
        let admin = self.admin.insecure_clone();
        let ix = kix::queue_change(admin.pubkey(), payer, self.pool, id, kind);
        self.env.send(&[ix], &[&admin]).await?;
        Ok(pda::pending_change(&self.pool, id))
    }

    /// Execute a queued change as `executor` (anyone); `market` for a market change.
    pub async fn execute(
        &mut self,
        executor: &Keypair,
        change: Pubkey,
        market: Option<usize>,
    ) -> Result<TxOutcome, TransactionError> {
        let payer = self.env.payer().pubkey();
        let market = market.map(|m| self.markets[m].keys.market);
        let ix = kix::execute_change(executor.pubkey(), self.pool, change, payer, market);
        self.env.send(&[ix], &[executor]).await
    }

    /// Decoded margin account.
    pub async fn margin(&mut self, key: Pubkey) -> MarginAccount {
        decode::margin_account(&self.env.account(key).await.expect("margin").data).unwrap()
    }

    /// Health accounts for `margin`: its positions, plus `opening` at the end if not among them.
    pub async fn health_metas(
        &mut self,
        margin: Pubkey,
        opening: Option<usize>,
    ) -> Vec<AccountMeta> {
        let account = self.margin(margin).await;
        let mut markets = kix::position_markets(&account);
        if let Some(m) = opening {
            let key = self.markets[m].keys.market;
            if !markets.contains(&key) {
                markets.push(key);
            }
        }
        self.health_accounts(&markets)
    }

    /// Index of `market` among this world's markets.
    pub fn market_index(&self, market: &Pubkey) -> Option<usize> {
        self.markets.iter().position(|f| f.keys.market == *market)
    }

    /// Health accounts (market, price account[, second source]) for `markets`, all listed in
    /// this world.
    pub fn health_accounts(&self, markets: &[Pubkey]) -> Vec<AccountMeta> {
        kix::health_accounts(markets, |k| {
            let m = &self.markets[self.market_index(k).expect("a market of this world")];
            kix::OracleAccounts {
                primary: m.price_account,
                secondary: m.secondary.map(|(feed, _)| feed),
            }
        })
    }
}

/// Give `key` `lamports` (a system account), as a faucet would.
pub fn fund(env: &mut TestEnv, key: &Pubkey, lamports: u64) {
    let account = solana_sdk::account::Account {
        lamports,
        data: vec![],
        owner: solana_system_interface::program::ID,
        executable: false,
        rent_epoch: 0,
    };
    env.set_account(key, &account.into());
}
