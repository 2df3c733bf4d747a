//! The `keel` CLI against the in-process runtime: each test parses a real command line and runs it
//! with the code the binary runs, then checks the chain.
use crate::common::*;
use clap::Parser;
use keel_cli::{run, Cli, CliError, Context};
use keel_sdk::chain::BanksChain;
use keel_tests::tokens::balance;
use keel_tests::{Trader, World};
use solana_sdk::signature::Signer;

/// A trader whose key signs and pays, with SOL for fees.
async fn trader(w: &mut World, funding: &[u64]) -> Trader {
    let t = w.trader(funding).await;
    let payer = w.env.payer();
    let fund = solana_system_interface::instruction::transfer(
        &payer.pubkey(),
        &t.key.pubkey(),
        5_000_000_000,
    );
    w.env.send(&[fund], &[]).await.unwrap();
    t
}

/// Run `keel <args>` as `t`, with the world's price accounts and `t`'s token accounts.
async fn keel(w: &World, t: &Trader, args: &[&str]) -> Result<serde_json::Value, CliError> {
    let mut argv: Vec<String> = vec![
        "keel".into(),
        "--json".into(),
        "--pool".into(),
        w.pool.to_string(),
    ];
    for (i, m) in w.markets.iter().enumerate() {
        argv.push(format!("--price={}={}", m.keys.market, m.price_account));
        argv.push(format!("--token-account={}={}", m.keys.mint, t.tokens[i]));
    }
    argv.extend(args.iter().map(|s| s.to_string()));
    let cli = Cli::try_parse_from(&argv).map_err(|e| CliError(e.to_string()))?;
    let chain = BanksChain::new(w.env.ctx.banks_client.clone(), t.key.insecure_clone());
    chain.track(w.markets.iter().map(|m| m.keys.market));
    chain.track(w.accounts.iter().copied());
    // the in-process bank has no account index: tell it about the trader's first accounts
    chain.track((0..4).map(|id| keel_sdk::pda::margin_account(&w.pool, &t.key.pubkey(), id)));
    let ctx = Context::new(chain, w.pool, &cli)?;
    let out = run(&ctx, &cli.command).await?;
    Ok(out.json)
}

#[tokio::test]
async fn a_traders_day_from_the_command_line() {
    let mut w = sol_usdc().await;
    let (_lender, _) = funded(&mut w).await;
    let t = trader(&mut w, &[10 * SOL, 0]).await;
    let (sol, usdc) = (
        w.markets[0].keys.mint.to_string(),
        w.markets[1].keys.mint.to_string(),
    );
    // the trader's margin account 0 already exists (World opens it); open number 1 too
    keel(&w, &t, &["account", "open", "--id", "1"])
        .await
        .unwrap();
    let list = keel(&w, &t, &["account", "list"]).await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);

    keel(&w, &t, &["deposit", &sol, "10"]).await.unwrap();
    assert_eq!(balance(&mut w.env, t.tokens[0]).await, 0);
    keel(&w, &t, &["borrow", &usdc, "250.5"]).await.unwrap();
    assert_eq!(balance(&mut w.env, t.tokens[1]).await, 250_500_000);

    let status = keel(&w, &t, &["status"]).await.unwrap();
    let hf = status["health_factor"].as_f64().unwrap();
    // 10 SOL * $99.9 * 85% / (250.5 * $1.001)
    assert!((hf - 849.15 / 250.750_5).abs() < 1e-6, "health factor {hf}");
    let lp = status["positions"][0]["liquidation_price"]
        .as_f64()
        .unwrap();
    assert!(
        (lp - 100.0 * (1.0 - (849.15 - 250.750_5) / 849.15)).abs() < 1e-6,
        "liquidation price {lp}"
    );
    assert_eq!(status["liquidatable"], false);

    keel(&w, &t, &["withdraw", &sol, "1.5"]).await.unwrap();
    assert_eq!(balance(&mut w.env, t.tokens[0]).await, 1_500_000_000);
    keel(&w, &t, &["repay", &usdc, "all"]).await.unwrap();
    assert_eq!(balance(&mut w.env, t.tokens[1]).await, 0);
    keel(&w, &t, &["withdraw", &sol, "all"]).await.unwrap();
    assert_eq!(balance(&mut w.env, t.tokens[0]).await, 10 * SOL);
    keel(&w, &t, &["account", "close"]).await.unwrap();
    keel(&w, &t, &["account", "close", "--id", "1"])
        .await
        .unwrap();
    assert!(w.env.account(t.margin).await.is_none());
    assert!(keel(&w, &t, &["account", "list"])
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn bad_input_is_one_line_and_sends_nothing() {
    let mut w = sol_usdc().await;
    let (_lender, _) = funded(&mut w).await;
    let t = trader(&mut w, &[10 * SOL, 0]).await;
    let sol = w.markets[0].keys.mint.to_string();
    let keys = watched(&w, &[&t]);
    let before = snapshot(&mut w, &keys).await;

    let e = keel(
        &w,
        &t,
        &[
            "deposit",
            "So11111111111111111111111111111111111111112",
            "1",
        ],
    )
    .await
    .unwrap_err();
    assert!(
        e.0.starts_with("unknown market 'So11111111111111111111111111111111111111112'"),
        "{e}"
    );
    let e = keel(&w, &t, &["deposit", &sol, "1.0000000001"])
        .await
        .unwrap_err();
    assert_eq!(
        e.0,
        "amount '1.0000000001' has 10 decimals; this token has 9"
    );
    let e = keel(&w, &t, &["deposit", "not-a-key", "1"])
        .await
        .unwrap_err();
    assert_eq!(e.0, "market 'not-a-key' is not a public key");
    let e = keel(&w, &t, &["deposit", &sol, "lots"]).await.unwrap_err();
    assert_eq!(e.0, "invalid amount 'lots'");
    let e = keel(&w, &t, &["frobnicate"]).await.unwrap_err();
    assert!(e.0.contains("unrecognized subcommand"), "{e}");
    assert!(!e.0.trim_end().contains('\n') || e.0.lines().next().unwrap().contains("unrecognized"));
    assert_unchanged(&mut w, &keys, &before).await;

    // a refusal by the program names the error
    keel(&w, &t, &["deposit", &sol, "10"]).await.unwrap();
    let usdc = w.markets[1].keys.mint.to_string();
    let e = keel(&w, &t, &["borrow", &usdc, "1000"]).await.unwrap_err();
    let code = u32::from(keel::errors::KeelError::InitialHealthViolated);
    assert_eq!(
        e.0,
        format!("refused by the program: Keel error {code} (programs/keel/src/errors.rs)")
    );
}
