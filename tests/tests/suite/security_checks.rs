//! The security checklist's separate tests (the mutation matrix is security.rs):
//! reinitialisation, non-canonical bumps, many tiny operations (rounding), price manipulation of a
//! thin collateral, and duplicated remaining accounts.
use crate::common::*;
use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::Pubkey;
use keel::errors::KeelError;
use keel::state::ChangeKind;
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::pda;
use keel_tests::env::{assert_keel_error, custom_error};
use keel_tests::invariants::check;
use keel_tests::tokens::{create_mint, spl_token, MintExtension};
use keel_tests::world::{default_config, default_liquidation, USD};
use keel_tests::{MarketSpec, World};
use solana_sdk::signature::{Keypair, Signer};

/// Reinitialisation: creating any PDA account a second time is refused at the Keel instruction
/// (Anchor's `init` finds the address taken and the System program refuses to reallocate an account
/// it no longer owns) and changes nothing; reusing a spent change id fails its seeds.
#[tokio::test]
async fn reinitialisation_is_refused() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    let payer = w.env.payer();
    let admin = w.admin.insecure_clone();
    let keys = governed_accounts(&w, &trader);
    let before = w.env.snapshot(&keys).await;
    let at_keel =
        |r: Result<keel_tests::env::TxOutcome, solana_sdk::transaction::TransactionError>| {
            // index 1: the instruction after the harness's compute-budget prefix
            assert!(
                matches!(
                    r,
                    Err(solana_sdk::transaction::TransactionError::InstructionError(
                        1,
                        _
                    ))
                ),
                "expected a refusal at the Keel instruction, got {r:?}"
            );
        };
    let reopen = kix::open_account(trader.key.pubkey(), payer.pubkey(), w.pool, 0);
    at_keel(w.send_as(&trader.key, &[reopen]).await);
    let relist = kix::add_market(
        admin.pubkey(),
        payer.pubkey(),
        w.pool,
        &w.markets[0].keys,
        default_config(w.markets[0].feed_id),
    );
    at_keel(w.send_as(&admin, &[relist]).await);
    let reinit = kix::init_pool(
        payer.pubkey(),
        0,
        admin.pubkey(),
        admin.pubkey(),
        0,
        default_liquidation(),
    );
    at_keel(w.env.send(&[reinit], &[]).await);
    assert_eq!(before, w.env.snapshot(&keys).await);
    // a queued change's id is spent: queueing at it again does not match the pool's next id
    w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    let stale = kix::queue_change(
        admin.pubkey(),
        payer.pubkey(),
        w.pool,
        0,
        ChangeKind::UnpauseBorrowing,
    );
    let r = w.send_as(&admin, &[stale]).await;
    assert_eq!(
        custom_error(&r.unwrap_err()),
        Some(u32::from(Anchor::ConstraintSeeds))
    );
}

fn governed_accounts(w: &World, trader: &keel_tests::Trader) -> Vec<Pubkey> {
    let mut keys = vec![w.pool, trader.margin];
    keys.extend(
        w.markets
            .iter()
            .flat_map(|m| [m.keys.market, pda::vault(&m.keys.market)]),
    );
    keys
}

/// An address of `seeds` at a bump below the canonical one (a valid PDA the program must refuse).
fn non_canonical(seeds: &[&[u8]]) -> Pubkey {
    let (_, canonical) = Pubkey::find_program_address(seeds, &keel::ID);
    (0..canonical)
        .rev()
        .find_map(|b| {
            let bump = [b];
            let mut with_bump: Vec<&[u8]> = seeds.to_vec();
            with_bump.push(&bump);
            Pubkey::create_program_address(&with_bump, &keel::ID).ok()
        })
        .expect("a non-canonical bump exists")
}

/// Non-canonical bumps: accounts are created only at their canonical PDA.
#[tokio::test]
async fn non_canonical_bumps_are_refused() {
    let mut w = sol_usdc().await;
    let payer = w.env.payer();
    let owner = Keypair::new();
    let id = 0u64.to_le_bytes();
    let fake_margin = non_canonical(&[
        keel::constants::MARGIN_SEED,
        w.pool.as_ref(),
        owner.pubkey().as_ref(),
        &id,
    ]);
    let mut ix = kix::open_account(owner.pubkey(), payer.pubkey(), w.pool, 0);
    ix.accounts[3].pubkey = fake_margin;
    assert_eq!(
        custom_error(&w.send_as(&owner, &[ix]).await.unwrap_err()),
        Some(u32::from(Anchor::ConstraintSeeds))
    );
    assert!(w.env.account(fake_margin).await.is_none());

    let authority = w.mint_authority.pubkey();
    let mint = create_mint(&mut w.env, spl_token(), 6, &authority, MintExtension::None).await;
    let keys = MarketKeys::new(&w.pool, mint, spl_token());
    let admin = w.admin.insecure_clone();
    let mut ix = kix::add_market(
        admin.pubkey(),
        payer.pubkey(),
        w.pool,
        &keys,
        default_config([5; 32]),
    );
    let fake_market =
        non_canonical(&[keel::constants::MARKET_SEED, w.pool.as_ref(), mint.as_ref()]);
    ix.accounts[4].pubkey = fake_market;
    assert_eq!(
        custom_error(&w.send_as(&admin, &[ix]).await.unwrap_err()),
        Some(u32::from(Anchor::ConstraintSeeds))
    );
    assert!(w.env.account(fake_market).await.is_none());
}

/// Rounding exploits: with indices off whole numbers, many tiny round trips only ever cost the
/// attacker; a deposit worth less than one share is refused.
#[tokio::test]
async fn many_tiny_operations_never_profit() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000_000 * USDC).await.unwrap();
    let whale = w.trader(&[20_000 * SOL, 0]).await;
    w.deposit(&whale, 0, 20_000 * SOL).await.unwrap();
    w.borrow(&whale, 1, 500_000 * USDC).await.unwrap();
    w.env.warp(31_536_000).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.accrue(1).await.unwrap(); // deposit index ~1.028, borrow index ~1.0625
    let attacker = w.trader(&[10 * SOL, 1_000]).await;
    w.deposit(&attacker, 0, 10 * SOL).await.unwrap();
    let start = keel_tests::tokens::balance(&mut w.env, attacker.tokens[1]).await;
    let fresh = w.trader(&[0, 10]).await;
    assert_keel_error(w.deposit(&fresh, 1, 1).await, KeelError::ZeroShares);
    for _ in 0..40 {
        let _ = w.deposit(&fresh, 1, 2).await; // fails once its 10 units are gone
        let _ = w.withdraw(&fresh, 1, u64::MAX).await;
        w.borrow(&attacker, 1, 1).await.unwrap();
        w.repay(&attacker, attacker.margin, 1, u64::MAX)
            .await
            .unwrap();
    }
    let end = keel_tests::tokens::balance(&mut w.env, attacker.tokens[1]).await;
    let fresh_end = keel_tests::tokens::balance(&mut w.env, fresh.tokens[1]).await;
    assert!(
        end < start,
        "tiny borrows cost the attacker: {start} -> {end}"
    );
    assert!(
        fresh_end < 10,
        "tiny deposits cost the depositor: 10 -> {fresh_end}"
    );
    check(&mut w).await;
}

/// Price manipulation of a thin collateral: the spot price pumped 100x moves nothing (the initial
/// requirement takes the lower EMA), and the deposit cap bounds what the collateral can ever back:
/// cap * min(spot, EMA) * initial weight.
#[tokio::test]
async fn thin_collateral_manipulation_is_bounded_by_caps() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000_000 * USDC).await.unwrap();
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    let thin = w
        .list_market(&spec, MintExtension::None, |c| c.deposit_cap = 1_000 * USDC)
        .await
        .unwrap();
    let attacker = w.trader(&[0, 0, 1_000_000 * USDC]).await;
    // the attacker pumps the thin token's spot price 100x; the EMA lags at $1
    let pumped = keel_tests::pyth::PriceSpec {
        ema_price: USD,
        ema_conf: (USD / 1000) as u64,
        ..w.price_spec(thin, 100 * USD).await
    };
    w.write_price(thin, &pumped);
    assert_keel_error(
        w.deposit(&attacker, thin, 1_000 * USDC + 1).await,
        KeelError::DepositCapExceeded,
    );
    w.deposit(&attacker, thin, 1_000 * USDC).await.unwrap();
    // bound: 1,000 tokens * $0.999 * 80% = $799.2, cut by the volatility margin's 10% cap (the
    // spot-EMA gap is 99%): $719.28 of debt at $1.001, 718.6 USDC
    assert_keel_error(
        w.borrow(&attacker, 1, 1_000 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_keel_error(
        w.borrow(&attacker, 1, 719 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    w.borrow(&attacker, 1, 718 * USDC).await.unwrap();
    check(&mut w).await;
}

/// Remaining accounts duplicated (one pair twice, in place of another position's) are refused by
/// every instruction that reads them, as a duplicate (before the missing pair is noticed).
#[tokio::test]
async fn duplicated_remaining_accounts_are_refused() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let good = w.health_metas(trader.margin, None).await;
    let dup = vec![
        good[0].clone(),
        good[1].clone(),
        good[0].clone(),
        good[1].clone(),
    ];
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    let sol = w.markets[0].keys;
    let withdraw = kix::withdraw(
        trader.key.pubkey(),
        trader.margin,
        &sol,
        trader.tokens[0],
        1,
        &dup,
    );
    assert_keel_error(
        w.send_as(&trader.key, &[withdraw]).await,
        KeelError::DuplicateRemainingAccount,
    );
    assert_keel_error(
        w.env
            .simulate(&[kix::health(trader.margin, &dup)], &[])
            .await,
        KeelError::DuplicateRemainingAccount,
    );
    let liq = w.trader(&[0, 1_000 * USDC]).await;
    let mut ix = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    let n = ix.accounts.len();
    ix.accounts.truncate(n - 4);
    ix.accounts.extend(dup);
    assert_keel_error(
        w.send_as(&liq.key, &[ix]).await,
        KeelError::DuplicateRemainingAccount,
    );
    assert_unchanged(&mut w, &keys, &before).await;
}
