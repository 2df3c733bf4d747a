//! The liquidator bot against the in-process runtime: it liquidates every liquidatable account and
//! no healthy one; a competing liquidator makes it skip, not crash or retry; restarted, it does not
//! act twice; a dry run sends nothing.
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use keel_liquidator::{execute, prepare, run_pass, Config};
use keel_sdk::chain::BanksChain;
use keel_tests::invariants::check;
use keel_tests::world::USD;
use keel_tests::{Trader, World};
use solana_sdk::signature::{Keypair, Signer};

const TRADERS: usize = 24;

/// A book of `TRADERS` accounts from 50% to 99% of their borrowing power; SOL then falls 25%,
/// which makes those above about 80% liquidatable (the deepest below the full-close floor).
async fn book() -> (World, Vec<Trader>) {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 10_000_000 * USDC]).await;
    w.deposit(&lender, 1, 10_000_000 * USDC).await.unwrap();
    let mut traders = vec![];
    for i in 0..TRADERS {
        let t = w.trader(&[10 * SOL, 0]).await;
        w.deposit(&t, 0, 10 * SOL).await.unwrap();
        w.borrow(
            &t,
            1,
            798 * USDC * (50 + 49 * i as u64 / (TRADERS as u64 - 1)) / 100,
        )
        .await
        .unwrap();
        traders.push(t);
    }
    w.set_price(0, 75 * USD).await;
    (w, traders)
}

/// The bot: its own key (funded with SOL for fees), USDC inventory, and its config.
async fn bot(w: &mut World) -> (BanksChain, Config, Trader) {
    let inventory = w.trader(&[0, 1_000_000 * USDC]).await;
    let payer = w.env.payer();
    let fund = solana_system_interface::instruction::transfer(
        &payer.pubkey(),
        &inventory.key.pubkey(),
        10_000_000_000,
    );
    w.env.send(&[fund], &[]).await.unwrap();
    let chain = BanksChain::new(w.env.banks_client().await, inventory.key.insecure_clone());
    chain.track(w.markets.iter().map(|m| m.keys.market));
    chain.track(w.accounts.iter().copied());
    let mut config = Config::for_pool(w.pool);
    for (i, m) in w.markets.iter().enumerate() {
        config.price_accounts.insert(m.keys.market, m.price_account);
        config
            .token_accounts
            .insert(m.keys.mint, inventory.tokens[i]);
    }
    (chain, config, inventory)
}

async fn liquidatable(w: &mut World, traders: &[Trader]) -> Vec<Pubkey> {
    let mut out = vec![];
    for t in traders {
        if w.health(t.margin).await.unwrap().liquidatable {
            out.push(t.margin);
        }
    }
    out
}

#[tokio::test]
async fn liquidates_every_liquidatable_account_and_no_healthy_one() {
    let (mut w, traders) = book().await;
    let (chain, config, _inventory) = bot(&mut w).await;
    let targets = liquidatable(&mut w, &traders).await;
    assert!(
        targets.len() >= 5 && targets.len() < TRADERS,
        "a mixed book: {} liquidatable",
        targets.len()
    );
    let healthy: Vec<Pubkey> = traders
        .iter()
        .map(|t| t.margin)
        .filter(|m| !targets.contains(m))
        .collect();
    let before = w.env.snapshot(&healthy).await;

    let report = run_pass(&chain, &config).await.unwrap();
    assert_eq!(report.evaluated, w.accounts.len());
    assert_eq!(report.liquidatable, targets.len());
    assert_eq!(report.succeeded, targets.len(), "{report:?}");
    assert_eq!((report.failed, report.skipped), (0, 0));
    assert!(report.profit_usd > 0.0);
    // an account between the full-close floor and 1 may need more than one call (50% close
    // factor): the bot's next passes finish the job, touching only those
    for _ in 0..5 {
        if run_pass(&chain, &config).await.unwrap().liquidatable == 0 {
            break;
        }
    }
    assert!(
        liquidatable(&mut w, &traders).await.is_empty(),
        "every target restored"
    );
    assert_eq!(
        w.env.snapshot(&healthy).await,
        before,
        "healthy accounts untouched"
    );

    // restarted: a new pass finds nothing to do
    let again = run_pass(&chain, &config).await.unwrap();
    assert_eq!((again.liquidatable, again.attempted), (0, 0));
    check(&mut w).await;
}

#[tokio::test]
async fn a_competing_liquidator_makes_it_skip_not_crash() {
    let (mut w, traders) = book().await;
    let (chain, config, _inventory) = bot(&mut w).await;
    let plan = prepare(&chain, &config).await.unwrap();
    assert!(plan.liquidations.len() >= 5);
    // a competitor takes the first three opportunities after the bot has read the chain
    let rival = w.trader(&[0, 1_000_000 * USDC]).await;
    for (candidate, _) in plan.liquidations.iter().take(3) {
        w.liquidate(&rival, candidate.key, 1, 0, u64::MAX)
            .await
            .unwrap();
    }
    let report = execute(&chain, &config, &plan).await;
    // a raced account is skipped, unless the rival left it liquidatable and ours still lands
    assert_eq!(report.failed, 0, "{report:?}");
    assert!(report.skipped >= 1, "{report:?}");
    assert_eq!(report.skipped + report.succeeded, plan.liquidations.len());
    for _ in 0..5 {
        if run_pass(&chain, &config).await.unwrap().liquidatable == 0 {
            break;
        }
    }
    assert!(liquidatable(&mut w, &traders).await.is_empty());
    check(&mut w).await;
}

#[tokio::test]
async fn a_dry_run_sends_nothing() {
    let (mut w, traders) = book().await;
    let (chain, mut config, _inventory) = bot(&mut w).await;
    config.dry_run = true;
    let margins: Vec<Pubkey> = traders.iter().map(|t| t.margin).collect();
    let before = w.env.snapshot(&margins).await;
    let report = run_pass(&chain, &config).await.unwrap();
    assert!(report.attempted >= 5);
    assert_eq!(report.succeeded, 0);
    assert_eq!(w.env.snapshot(&margins).await, before);
}

#[tokio::test]
async fn the_config_file_parses_and_names_bad_keys() {
    let pool = Pubkey::new_unique();
    let market = Pubkey::new_unique();
    let price = Pubkey::new_unique();
    let text = format!(
        "pool = \"{pool}\"\nmin_profit_usd = 1.5\n[price_accounts]\n\"{market}\" = \"{price}\"\n"
    );
    let c = Config::from_toml(&text).unwrap();
    assert_eq!(
        (
            c.pool,
            c.price_accounts[&market],
            c.min_profit_usd,
            c.compute_units
        ),
        (pool, price, 1.5, None)
    );
    // absent, each liquidation requests the SDK's per-position limit; a number overrides it
    let fixed = Config::from_toml(&format!("pool = \"{pool}\"\ncompute_units = 300000\n")).unwrap();
    assert_eq!(fixed.compute_units, Some(300_000));
    let err = Config::from_toml("pool = \"not-a-key\"").unwrap_err();
    assert!(err.contains("not a public key: not-a-key"), "{err}");
    let _ = Keypair::new();
}

/// Issue 26 (low): a liquidatee front-ran the bot with a 1-unit deposit into a market it held
/// nothing of, and the bot's liquidation failed with `MissingPositionPair` (its remaining
/// accounts were read before). The bot now reads the account again and sends once more.
#[tokio::test]
async fn a_front_running_deposit_into_a_new_market_does_not_stop_it() {
    use keel_tests::tokens::{spl_token, MintExtension};
    use keel_tests::MarketSpec;
    let mut w = sol_usdc().await;
    let third = w
        .list_market(
            &MarketSpec {
                token_program: spl_token(),
                decimals: 6,
                price: USD,
            },
            MintExtension::None,
            |_| {},
        )
        .await
        .unwrap();
    let lender = w.trader(&[0, 100_000 * USDC, 0]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let target = w.trader(&[10 * SOL, 0, USDC]).await;
    w.deposit(&target, 0, 10 * SOL).await.unwrap();
    w.borrow(&target, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 80 * USD).await;
    let (chain, config, _inventory) = bot(&mut w).await;
    let plan = prepare(&chain, &config).await.unwrap();
    assert_eq!(plan.liquidations.len(), 1);
    // the front-run: one base unit into the third market after the bot read the account
    w.deposit(&target, third, 1).await.unwrap();
    let report = execute(&chain, &config, &plan).await;
    assert_eq!((report.succeeded, report.failed), (1, 0), "{report:?}");
    check(&mut w).await;
}
