//! Synthetic books for measuring evaluation speed: `markets` markets and `accounts` margin accounts
//! with 1-16 positions each, from a seeded generator (the same seed gives the same book).
use anchor_lang::prelude::Pubkey;
use keel::math::fixed::WAD;
use keel::math::health::OraclePrice;
use keel::math::interest::INITIAL_INDEX;
use keel::state::{MarginAccount, Market, Position};
use keel_sdk::risk::MarketState;

/// xorshift64*: small, fast and deterministic; only for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` markets with prices, weights and indices off one.
pub fn markets(n: usize, now: i64) -> Vec<MarketState> {
    (0..n)
        .map(|i| {
            let mut market: Market = blank_market();
            market.decimals = [6, 9, 8][i % 3];
            market.config.weights.init_asset_weight_bps = 8_000;
            market.config.weights.maint_asset_weight_bps = 8_500;
            market.config.weights.init_liab_weight_bps = 10_000;
            market.config.weights.maint_liab_weight_bps = 10_000;
            market.deposit_index = keel::math::fixed::Wad(WAD + WAD / 50 * (i as u128 % 5));
            market.borrow_index = keel::math::fixed::Wad(WAD + WAD / 20 * (i as u128 % 5));
            market.last_accrual_ts = now;
            let price = 100_000_000 * (1 + i as u64 * 7);
            MarketState {
                key: Pubkey::new_unique(),
                market,
                price: Some(OraclePrice {
                    price,
                    conf: price / 1000,
                    ema_price: price,
                    ema_conf: price / 1000,
                    expo: -8,
                    bound: None,
                }),
                source: keel::oracle::rules::PriceSource::Primary,
                refused: false,
            }
        })
        .collect()
}

/// A market with every parameter zero and indices at one, to be filled in.
fn blank_market() -> Market {
    Market {
        pool: Pubkey::default(),
        mint: Pubkey::default(),
        token_program: Pubkey::default(),
        vault: Pubkey::default(),
        decimals: 6,
        bump: 0,
        vault_bump: 0,
        config: Default::default(),
        deposit_index: INITIAL_INDEX,
        borrow_index: INITIAL_INDEX,
        total_deposit_shares: 0,
        total_borrow_shares: 0,
        insurance_fund: Default::default(),
        bad_debt_socialised: Default::default(),
        last_accrual_ts: 0,
        active_after: 0,
        outflow: Default::default(),
        last_publish_time: 0,
        maint_ramp: Default::default(),
        config_version: 0,
        last_secondary_publish_time: 0,
        flash_loan: Default::default(),
        provisioned: 0,
    }
}

/// `n` accounts over `markets`, each with 1-16 positions (deposits, and debts in other markets).
pub fn accounts(n: usize, markets: &[MarketState], seed: u64) -> Vec<MarginAccount> {
    let mut rng = Rng(seed.max(1));
    (0..n)
        .map(|_| {
            // MarginAccount is plain old data: all-zero is an empty account
            let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
            let count = 1 + rng.below(markets.len().min(16) as u64) as usize;
            let start = rng.below(markets.len() as u64) as usize;
            for k in 0..count {
                let m = &markets[(start + k) % markets.len()];
                let scale = 10u64.pow(m.market.decimals as u32);
                let (deposit, borrow) = if k % 3 == 2 {
                    (0, rng.below(50) * scale)
                } else {
                    (rng.below(100) * scale, 0)
                };
                a.positions[k] = Position {
                    market: m.key,
                    deposit_shares: deposit.max(if borrow == 0 { 1 } else { 0 }),
                    borrow_shares: borrow,
                    provisioned: 0,
                };
            }
            a.position_count = count as u8;
            a
        })
        .collect()
}
