//! Happy paths of every instruction, under SPL Token and under Token-2022, with balances checked
//! in the token accounts and the vault, not only in program state.
use keel_sdk::pda;
use keel_tests::invariants::{assert_initial_health, check};
use keel_tests::tokens::{balance, spl_token, token_2022};
use keel_tests::world::USD;
use keel_tests::{MarketSpec, World};
use solana_sdk::signature::Signer;

const SOL: u64 = 1_000_000_000; // 9 decimals
const USDC: u64 = 1_000_000; // 6 decimals

async fn world(
    collateral_program: anchor_lang::prelude::Pubkey,
    debt_program: anchor_lang::prelude::Pubkey,
) -> World {
    World::new(&[
        MarketSpec {
            token_program: collateral_program,
            decimals: 9,
            price: 100 * USD,
        },
        MarketSpec {
            token_program: debt_program,
            decimals: 6,
            price: USD,
        },
    ])
    .await
}

async fn full_cycle(mut w: World) {
    let lender = w.trader(&[0, 10_000 * USDC]).await;
    let trader = w.trader(&[10 * SOL, 0]).await;
    let vault_sol = pda::vault(&w.markets[0].keys.market);
    let vault_usdc = pda::vault(&w.markets[1].keys.market);

    w.deposit(&lender, 1, 10_000 * USDC).await.unwrap();
    assert_eq!(balance(&mut w.env, lender.tokens[1]).await, 0);
    assert_eq!(balance(&mut w.env, vault_usdc).await, 10_000 * USDC);

    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    assert_eq!(balance(&mut w.env, trader.tokens[0]).await, 0);
    assert_eq!(balance(&mut w.env, vault_sol).await, 10 * SOL);
    check(&mut w).await;

    w.borrow(&trader, 1, 500 * USDC).await.unwrap();
    assert_initial_health(&mut w, trader.margin).await;
    assert_eq!(balance(&mut w.env, trader.tokens[1]).await, 500 * USDC);
    assert_eq!(balance(&mut w.env, vault_usdc).await, 9_500 * USDC);
    let account = w.margin(trader.margin).await;
    assert_eq!(account.position_count, 2);
    check(&mut w).await;

    // health: C_maint = 10 SOL * $99.9 * 85%, D_maint = 500 * $1.001 * 100%
    let report = w.health(trader.margin).await.unwrap();
    assert!(!report.liquidatable && report.meets_initial);
    assert_eq!(report.collateral_maint.0, 849_150_000_000_000_000_000); // $849.15
    assert_eq!(report.debt_maint.0, 500_500_000_000_000_000_000);

    // repay all (u64::MAX), withdraw all, close
    w.repay(&trader, trader.margin, 1, u64::MAX).await.unwrap();
    assert_eq!(balance(&mut w.env, trader.tokens[1]).await, 0);
    w.withdraw(&trader, 0, u64::MAX).await.unwrap();
    assert_eq!(balance(&mut w.env, trader.tokens[0]).await, 10 * SOL);
    assert_eq!(w.margin(trader.margin).await.position_count, 0);
    w.withdraw(&lender, 1, u64::MAX).await.unwrap();
    assert_eq!(balance(&mut w.env, lender.tokens[1]).await, 10_000 * USDC);
    check(&mut w).await;

    let owner_before = w
        .env
        .account(trader.key.pubkey())
        .await
        .map(|a| a.lamports)
        .unwrap_or(0);
    let rent = w.env.account(trader.margin).await.unwrap().lamports;
    let ix = keel_sdk::instructions::close_account(trader.key.pubkey(), trader.margin);
    w.send_as(&trader.key, &[ix]).await.unwrap();
    assert!(w.env.account(trader.margin).await.is_none());
    let owner_after = w.env.account(trader.key.pubkey()).await.unwrap().lamports;
    assert_eq!(owner_after, owner_before + rent);
    check(&mut w).await;
}

#[tokio::test]
async fn full_cycle_spl_token() {
    full_cycle(world(spl_token(), spl_token()).await).await;
}

#[tokio::test]
async fn full_cycle_token_2022() {
    full_cycle(world(token_2022(), token_2022()).await).await;
}

#[tokio::test]
async fn full_cycle_mixed_programs() {
    full_cycle(world(token_2022(), spl_token()).await).await;
}
