//! Shared fixtures of the suite: the two-market world, and the "refused and changed nothing" check.
use anchor_lang::prelude::Pubkey;
use keel_sdk::pda;
use keel_tests::tokens::spl_token;
use keel_tests::world::USD;
use keel_tests::{MarketSpec, Trader, World};
use solana_sdk::account::Account;

/// One SOL (9 decimals).
pub const SOL: u64 = 1_000_000_000;
/// One USDC (6 decimals).
pub const USDC: u64 = 1_000_000;

/// Market 0: SOL-like at $100; market 1: USDC-like at $1; both SPL Token.
pub async fn sol_usdc() -> World {
    World::new(&[
        MarketSpec {
            token_program: spl_token(),
            decimals: 9,
            price: 100 * USD,
        },
        MarketSpec {
            token_program: spl_token(),
            decimals: 6,
            price: USD,
        },
    ])
    .await
}

/// A lender with 100,000 USDC deposited, and a trader with 10 SOL deposited (in that world).
pub async fn funded(w: &mut World) -> (Trader, Trader) {
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 1_000 * USDC]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    (lender, trader)
}

/// Every account a refusal could touch: markets, vaults, price accounts, the traders' margin and
/// token accounts.
pub fn watched(w: &World, traders: &[&Trader]) -> Vec<Pubkey> {
    let mut keys = vec![w.pool];
    for m in &w.markets {
        keys.extend([m.keys.market, pda::vault(&m.keys.market), m.price_account]);
    }
    for t in traders {
        keys.push(t.margin);
        keys.extend(t.tokens.iter().copied());
    }
    keys
}

/// Snapshot of `keys`.
pub async fn snapshot(w: &mut World, keys: &[Pubkey]) -> Vec<Option<Account>> {
    w.env.snapshot(keys).await
}

/// Assert that nothing in `keys` changed since `before`.
pub async fn assert_unchanged(w: &mut World, keys: &[Pubkey], before: &[Option<Account>]) {
    let after = w.env.snapshot(keys).await;
    for (i, (a, b)) in before.iter().zip(after.iter()).enumerate() {
        assert_eq!(a, b, "account {} changed", keys[i]);
    }
}

/// `sol_usdc` widened to 16 markets (14 more USDC-like ones, SPL Token) with a lender of 100,000
/// USDC, and a trader holding a position in every market: 10 SOL and 1 unit of each other
/// collateral, backing 800 USDC of debt (healthy at SOL $100, liquidatable at $90).
pub async fn sixteen_position_world() -> (World, Trader) {
    use keel_tests::tokens::MintExtension;
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    for _ in 2..16 {
        w.list_market(&spec, MintExtension::None, |_| {})
            .await
            .unwrap();
    }
    let mut funding = vec![100 * USDC; 16];
    funding[0] = 10 * SOL;
    funding[1] = 0;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let trader = w.trader(&funding).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    for m in 2..16 {
        w.deposit(&trader, m, USDC).await.unwrap();
    }
    // 14 USDC-like positions worth $11.2 of initial value, 10 SOL worth $799.2
    w.borrow(&trader, 1, 800 * USDC).await.unwrap();
    assert_eq!(w.margin(trader.margin).await.position_count, 16);
    (w, trader)
}
