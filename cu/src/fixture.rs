//! A pool with up to 16 markets on the SBF runtime, listed and used through real Keel
//! instructions (the SDK's builders); mints, token accounts and prices written directly.
use crate::{pk, Ix, Key, Sbf};
use anchor_lang::AccountSerialize;
use keel::math::liquidation::LiquidationConfig;
use keel::state::MarketConfig;
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::pda;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;
use solana_program_pack::Pack;
use spl_token_interface::state::{Account as TokenAccount, AccountState, Mint};

/// Where the clock starts.
pub const START: i64 = 1_700_000_000;
/// Mint decimals of every market.
pub const DECIMALS: u8 = 6;
/// One whole token.
pub const UNIT: u64 = 1_000_000;
/// One dollar as a price mantissa at exponent -8.
pub const USD: i64 = 100_000_000;

/// A listed market.
#[derive(Clone, Copy, Debug)]
pub struct MarketFix {
    /// Its keys.
    pub keys: MarketKeys,
    /// Its Pyth price account.
    pub price_account: Key,
    /// Its feed id.
    pub feed_id: [u8; 32],
    /// Its current price mantissa.
    pub price: i64,
    /// Its second source (a Switchboard pull feed) and the feed's hash, when listed with one.
    pub secondary: Option<(Key, [u8; 32])>,
}

/// A wallet: a key and a token account per market.
#[derive(Clone, Debug)]
pub struct Wallet {
    /// The key (Mollusk checks no signatures; the metas say who signs).
    pub key: Key,
    /// Token account per market.
    pub tokens: Vec<Key>,
    /// Its margin account (id 0), once opened.
    pub margin: Key,
}

/// A pool and its markets on the SBF runtime.
pub struct Fixture {
    /// The runtime.
    pub sbf: Sbf,
    /// Pool creator, admin (also guardian here), payer.
    pub admin: Key,
    /// The pool.
    pub pool: Key,
    /// Markets in listing order: market 0 is the debt market (USDC-like, $1).
    pub markets: Vec<MarketFix>,
    /// List markets with a second source.
    pub with_secondary: bool,
    next_key: u8,
    next_id: u32,
}

fn token_program(i: usize) -> Key {
    // market 1 is a Token-2022 mint, the rest SPL Token
    if i == 1 {
        anchor_lang::prelude::Pubkey::new_from_array(
            mollusk_svm_programs_token::token2022::ID.to_bytes(),
        )
    } else {
        anchor_lang::prelude::Pubkey::new_from_array(
            mollusk_svm_programs_token::token::ID.to_bytes(),
        )
    }
}

fn config(feed_id: [u8; 32], price_account: Key) -> MarketConfig {
    let mut c = keel_sdk::defaults::default_config(feed_id);
    c.oracle.price_account = price_account;
    c
}

/// The pool's liquidation parameters: the defaults, liquidation open at once.
pub fn liquidation_config() -> LiquidationConfig {
    LiquidationConfig {
        grace_secs: 0,
        ..keel_sdk::defaults::default_liquidation()
    }
}

impl Fixture {
    /// A pool with `n` markets; returns it and the compute units of `init_pool` and each
    /// `add_market`.
    pub fn new(elf: &[u8], n: usize) -> (Fixture, u64, Vec<u64>) {
        Fixture::with_sources(elf, n, false)
    }

    /// [`Fixture::new`], every market with a Switchboard second source when `secondary`.
    pub fn with_sources(elf: &[u8], n: usize, secondary: bool) -> (Fixture, u64, Vec<u64>) {
        let sbf = Sbf::new(elf, START);
        let mut f = Fixture {
            sbf,
            admin: Key::default(),
            pool: Key::default(),
            markets: vec![],
            with_secondary: secondary,
            next_key: 1,
            next_id: 0,
        };
        f.admin = f.key();
        f.sbf.fund(&f.admin, 1_000_000_000_000);
        let init = kix::init_pool(f.admin, 0, f.admin, f.admin, 0, liquidation_config());
        let init_cu = f.sbf.run(&init).expect("init_pool");
        f.pool = pda::pool(&f.admin, 0);
        let mut add = vec![];
        for i in 0..n {
            add.push(f.list(i));
        }
        (f, init_cu, add)
    }

    /// A fresh deterministic key.
    pub fn key(&mut self) -> Key {
        self.next_id += 1;
        let mut bytes = [self.next_key; 32];
        bytes[..4].copy_from_slice(&self.next_id.to_le_bytes());
        Key::new_from_array(bytes)
    }

    fn list(&mut self, i: usize) -> u64 {
        let mint = self.key();
        let program = token_program(i);
        let mint_state = Mint {
            mint_authority: None.into(),
            supply: u64::MAX / 2,
            decimals: DECIMALS,
            is_initialized: true,
            freeze_authority: None.into(),
        };
        let mut data = vec![0u8; Mint::LEN];
        Mint::pack(mint_state, &mut data).unwrap();
        self.sbf.set(
            &mint,
            Account {
                lamports: 10_000_000,
                data,
                owner: pk(&program),
                executable: false,
                rent_epoch: 0,
            },
        );
        let keys = MarketKeys::new(&self.pool, mint, program);
        let feed_id = [i as u8 + 1; 32];
        let price_account = self.key();
        let mut config = config(feed_id, price_account);
        let secondary = self
            .with_secondary
            .then(|| (self.key(), [0xB0 + i as u8; 32]));
        if let Some((feed, hash)) = secondary {
            config.secondary = keel_sdk::defaults::secondary_source(feed, hash);
        }
        let ix = kix::add_market(self.admin, self.admin, self.pool, &keys, config);
        let cu = self
            .sbf
            .run(&ix)
            .unwrap_or_else(|e| panic!("add_market {i}: {e}"));
        let price = if i == 0 { USD } else { 10 * USD };
        self.markets.push(MarketFix {
            keys,
            price_account,
            feed_id,
            price,
            secondary,
        });
        self.set_price(i, price);
        cu
    }

    /// Publish `price` (mantissa at -8, 0.1 % confidence, EMA = spot) for market `m`, now.
    pub fn set_price(&mut self, m: usize, price: i64) {
        let now = self.sbf.now();
        let fix = &mut self.markets[m];
        fix.price = price;
        let update = PriceUpdateV2 {
            write_authority: Key::default(),
            verification_level: VerificationLevel::Full,
            price_message: PriceFeedMessage {
                feed_id: fix.feed_id,
                price,
                conf: (price / 1000) as u64,
                exponent: -8,
                publish_time: now,
                prev_publish_time: now - 1,
                ema_price: price,
                ema_conf: (price / 1000) as u64,
            },
            posted_slot: 0,
        };
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        update.try_serialize(&mut data).unwrap();
        let account = Account {
            lamports: 10_000_000,
            data,
            owner: pk(&pyth_solana_receiver_sdk::ID),
            executable: false,
            rent_epoch: 0,
        };
        let key = fix.price_account;
        self.sbf.set(&key, account);
        if let Some((feed, hash)) = fix.secondary {
            // the same price at 18 decimals, 0.1 % deviation, three answers
            let value = price as i128 * 10_000_000_000;
            let data = keel_sdk::oracle::pull_feed_data(hash, (value, value / 1_000), now, 3);
            let account = Account {
                lamports: 30_000_000,
                data,
                owner: pk(&keel::oracle::switchboard::SWITCHBOARD_ON_DEMAND_ID),
                executable: false,
                rent_epoch: 0,
            };
            self.sbf.set(&feed, account);
        }
    }

    /// Refresh every price at its value (after a clock warp).
    pub fn refresh_prices(&mut self) {
        for m in 0..self.markets.len() {
            let p = self.markets[m].price;
            self.set_price(m, p);
        }
    }

    /// A wallet with `amount` of every market's token and an open margin account; returns it and
    /// the compute units of `open_account`.
    pub fn wallet(&mut self, amount: u64) -> (Wallet, u64) {
        let key = self.key();
        self.sbf.fund(&key, 10_000_000_000);
        let mut tokens = vec![];
        for m in 0..self.markets.len() {
            let account = self.key();
            let keys = self.markets[m].keys;
            let state = TokenAccount {
                mint: pk(&keys.mint),
                owner: pk(&key),
                amount,
                delegate: None.into(),
                state: AccountState::Initialized,
                is_native: None.into(),
                delegated_amount: 0,
                close_authority: None.into(),
            };
            let mut data = vec![0u8; TokenAccount::LEN];
            TokenAccount::pack(state, &mut data).unwrap();
            self.sbf.set(
                &account,
                Account {
                    lamports: 10_000_000,
                    data,
                    owner: pk(&keys.token_program),
                    executable: false,
                    rent_epoch: 0,
                },
            );
            tokens.push(account);
        }
        let open = kix::open_account(key, key, self.pool, 0);
        let cu = self.sbf.run(&open).expect("open_account");
        let margin = pda::margin_account(&self.pool, &key, 0);
        (
            Wallet {
                key,
                tokens,
                margin,
            },
            cu,
        )
    }

    /// A wallet whose account has `n` positions: collateral in markets 1..n (100 tokens at $10
    /// each) and, for n >= 2, a debt in market 0 of 60 % of the collateral's value.
    pub fn account_with(&mut self, n: usize) -> Wallet {
        let (w, _) = self.wallet(1_000_000 * UNIT);
        let collateral = n.max(2) - 1;
        for m in 1..=collateral {
            crate::ok("deposit", self.deposit(&w, m, 100 * UNIT));
        }
        if n >= 2 {
            crate::ok("borrow", self.borrow(&w, 0, 600 * collateral as u64 * UNIT));
        }
        w
    }

    /// The margin account's positions' markets, in order.
    pub fn positions(&self, margin: &Key) -> Vec<Key> {
        let raw = self.sbf.get(margin).expect("margin account");
        let account = keel_sdk::decode::margin_account(&raw.data).expect("decode margin");
        kix::position_markets(&account)
    }

    /// Health accounts for `margin`, plus market `opening` if given.
    pub fn health_metas(
        &self,
        margin: &Key,
        opening: Option<usize>,
    ) -> Vec<anchor_lang::prelude::AccountMeta> {
        let mut markets = self.positions(margin);
        if let Some(m) = opening {
            let k = self.markets[m].keys.market;
            if !markets.contains(&k) {
                markets.push(k);
            }
        }
        kix::health_accounts(&markets, |k| {
            self.markets
                .iter()
                .find(|f| f.keys.market == *k)
                .map(|f| kix::OracleAccounts {
                    primary: f.price_account,
                    secondary: f.secondary.map(|(feed, _)| feed),
                })
                .expect("a market of the fixture")
        })
    }

    /// `deposit` of `amount` into market `m`.
    pub fn deposit(&self, w: &Wallet, m: usize, amount: u64) -> Result<u64, String> {
        let ix = kix::deposit(w.key, w.margin, &self.markets[m].keys, w.tokens[m], amount);
        self.sbf.run(&ix)
    }

    /// `borrow` of `amount` from market `m`.
    pub fn borrow(&self, w: &Wallet, m: usize, amount: u64) -> Result<u64, String> {
        let metas = self.health_metas(&w.margin, Some(m));
        let ix = kix::borrow(
            w.key,
            w.margin,
            &self.markets[m].keys,
            w.tokens[m],
            amount,
            &metas,
        );
        self.sbf.run(&ix)
    }

    /// `withdraw` of `amount` from market `m`.
    pub fn withdraw(&self, w: &Wallet, m: usize, amount: u64) -> Result<u64, String> {
        let metas = self.health_metas(&w.margin, None);
        let ix = kix::withdraw(
            w.key,
            w.margin,
            &self.markets[m].keys,
            w.tokens[m],
            amount,
            &metas,
        );
        self.sbf.run(&ix)
    }

    /// `repay` by `payer` of `amount` of `margin`'s debt in market `m`.
    pub fn repay(&self, payer: &Wallet, margin: Key, m: usize, amount: u64) -> Result<u64, String> {
        let ix = kix::repay(
            payer.key,
            margin,
            &self.markets[m].keys,
            payer.tokens[m],
            amount,
        );
        self.sbf.run(&ix)
    }

    /// `health` of `margin`.
    pub fn health(&self, margin: &Key) -> Result<u64, String> {
        let metas = self.health_metas(margin, None);
        self.sbf.run(&kix::health(*margin, &metas))
    }

    /// `liquidate` of `margin` by `liq`: repay in `repay`, seize in `seize`.
    pub fn liquidate(
        &self,
        liq: &Wallet,
        margin: Key,
        repay: usize,
        seize: usize,
    ) -> Result<u64, String> {
        self.sbf
            .run(&self.liquidate_ix(liq, margin, (repay, seize), u64::MAX))
    }

    /// The `liquidate` instruction of `margin` by `liq` in the `(repay, seize)` markets.
    pub fn liquidate_ix(
        &self,
        liq: &Wallet,
        margin: Key,
        (repay, seize): (usize, usize),
        max_repay: u64,
    ) -> Ix {
        let metas = self.health_metas(&margin, None);
        let keys = kix::LiquidationKeys {
            liquidator: liq.key,
            margin_account: margin,
            pool: self.pool,
            repay: self.markets[repay].keys,
            seize: self.markets[seize].keys,
            repay_source: liq.tokens[repay],
            seize_destination: liq.tokens[seize],
            deposit_into: None,
        };
        kix::liquidate(&keys, max_repay, &metas)
    }
}
