//! The `keel` CLI against the in-process runtime: each test parses a real command line and runs it
//! with the code the binary runs, then checks the chain.
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use clap::Parser;
use keel_cli::config_file::MarketConfigFile;
use keel_cli::{run, Cli, CliError, Context};
use keel_tests::invariants::check;
use keel_tests::tokens::balance;
use keel_tests::world::{default_config, USD};
use keel_tests::{Trader, World};
use solana_sdk::signature::{Keypair, Signer};

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

/// The action `keel migrate` reported for each market of its listing, in order.
pub(crate) fn migrate_actions(out: &serde_json::Value) -> Vec<&str> {
    out["markets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["action"].as_str().unwrap())
        .collect()
}

/// Run `keel <args>` as `t`, with the world's price accounts and `t`'s token accounts.
async fn keel(w: &World, t: &Trader, args: &[&str]) -> Result<serde_json::Value, CliError> {
    keel_as(w, &t.key, &t.tokens, args).await
}

/// Run `keel <args>` signed by `key`, with `tokens` as its token accounts (market order).
pub(crate) async fn keel_as(
    w: &World,
    key: &Keypair,
    tokens: &[Pubkey],
    args: &[&str],
) -> Result<serde_json::Value, CliError> {
    let mut argv: Vec<String> = vec![
        "keel".into(),
        "--json".into(),
        "--pool".into(),
        w.pool.to_string(),
    ];
    for (i, m) in w.markets.iter().enumerate() {
        argv.push(format!("--price={}={}", m.keys.market, m.price_account));
        if let Some(t) = tokens.get(i) {
            argv.push(format!("--token-account={}={}", m.keys.mint, t));
        }
    }
    argv.extend(args.iter().map(|s| s.to_string()));
    let cli = Cli::try_parse_from(&argv).map_err(|e| CliError(e.to_string()))?;
    // the chain answers program-account queries from the ledger's index of Keel accounts
    let chain = w.chain(key);
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
        format!("refused by the program: InitialHealthViolated: Action would leave the account below its initial margin requirement (Keel error {code})")
    );
}

/// Fund `key` with SOL for fees.
pub(crate) async fn fund(w: &mut World, key: &Pubkey) {
    let payer = w.env.payer();
    let ix = solana_system_interface::instruction::transfer(&payer.pubkey(), key, 5_000_000_000);
    w.env.send(&[ix], &[]).await.unwrap();
}

/// Write a market configuration file and return its path.
fn config_file(name: &str, config: &keel::state::MarketConfig) -> String {
    let dir = std::env::temp_dir().join(format!("keel-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(
        &path,
        toml::to_string(&MarketConfigFile::from_config(config)).unwrap(),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn governance_from_the_command_line() {
    let mut w = sol_usdc().await;
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    fund(&mut w, &admin.pubkey()).await;
    fund(&mut w, &guardian.pubkey()).await;
    let usdc = w.markets[1].keys.mint.to_string();
    keel_as(&w, &admin, &[], &["gov", "raise-timelock", "3600"])
        .await
        .unwrap();
    assert_eq!(w.pool_state().await.timelock_delay_secs, 3600);

    // a loosening is queued, shown with its diff, refused before its eta, executed after it
    let mut looser = w.market(1).await.config;
    looser.weights.init_asset_weight_bps = 8_400;
    let file = config_file("looser.toml", &looser);
    keel_as(&w, &admin, &[], &["gov", "queue-market", &usdc, &file])
        .await
        .unwrap();
    let show = keel_as(&w, &admin, &[], &["gov", "show"]).await.unwrap();
    assert_eq!(
        show["queue"][0]["diff"][0],
        "init_asset_weight_bps: 8000 -> 8400"
    );
    assert_eq!(show["timelock_secs"], 3600);
    let e = keel_as(&w, &admin, &[], &["gov", "execute", "0"])
        .await
        .unwrap_err();
    let code = u32::from(keel::errors::KeelError::TimelockNotElapsed);
    assert!(e.0.contains(&code.to_string()), "{e}");
    w.env.warp(3_600).await;
    keel_as(&w, &admin, &[], &["gov", "execute", "0"])
        .await
        .unwrap();
    assert_eq!(w.market(1).await.config, looser);
    assert!(
        keel_as(&w, &admin, &[], &["gov", "show"]).await.unwrap()["queue"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // the guardian pauses; the admin queues the unpause and cancels it
    keel_as(&w, &guardian, &[], &["gov", "pause", "--borrow"])
        .await
        .unwrap();
    assert!(w.pool_state().await.borrow_paused);
    keel_as(&w, &admin, &[], &["gov", "queue-unpause"])
        .await
        .unwrap();
    keel_as(&w, &admin, &[], &["gov", "cancel", "1"])
        .await
        .unwrap();
    assert!(
        keel_as(&w, &admin, &[], &["gov", "show"]).await.unwrap()["queue"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // `tighten` refuses a loosening
    let e = keel_as(
        &w,
        &guardian,
        &[],
        &[
            "gov",
            "tighten",
            &usdc,
            &config_file("loose2.toml", &{
                let mut c = looser;
                c.borrow_cap = u64::MAX;
                c
            }),
        ],
    )
    .await
    .unwrap_err();
    assert!(
        e.0.contains(&u32::from(keel::errors::KeelError::NotTightening).to_string()),
        "{e}"
    );

    // a two-step admin hand-over
    let next = Keypair::new();
    fund(&mut w, &next.pubkey()).await;
    keel_as(
        &w,
        &admin,
        &[],
        &["gov", "set-authority", "admin", &next.pubkey().to_string()],
    )
    .await
    .unwrap();
    keel_as(&w, &next, &[], &["gov", "accept", "admin"])
        .await
        .unwrap();
    assert_eq!(w.pool_state().await.admin, next.pubkey());
}

/// Decode a legacy message back into its instructions.
fn decompile(message: &solana_sdk::message::Message) -> Vec<solana_sdk::instruction::Instruction> {
    message
        .instructions
        .iter()
        .map(|ci| solana_sdk::instruction::Instruction {
            program_id: message.account_keys[ci.program_id_index as usize],
            accounts: ci
                .accounts
                .iter()
                .map(|i| {
                    let i = *i as usize;
                    let key = message.account_keys[i];
                    if message.is_maybe_writable(i, None) {
                        anchor_lang::prelude::AccountMeta::new(key, message.is_signer(i))
                    } else {
                        anchor_lang::prelude::AccountMeta::new_readonly(key, message.is_signer(i))
                    }
                })
                .collect(),
            data: ci.data.clone(),
        })
        .collect()
}

#[tokio::test]
async fn print_emits_a_multisig_message_that_decodes_back() {
    use base64_decode::decode;
    let mut w = sol_usdc().await;
    let admin = w.admin.insecure_clone();
    fund(&mut w, &admin.pubkey()).await;
    let multisig = Pubkey::new_unique();
    let before = w.env.snapshot(&[w.pool]).await;
    let out = keel_as(
        &w,
        &admin,
        &[],
        &[
            "gov",
            "pause",
            "--borrow",
            "--print",
            "--authority",
            &multisig.to_string(),
        ],
    )
    .await
    .unwrap();
    let bytes = decode(out["message_base64"].as_str().unwrap());
    assert_eq!(
        solana_sdk::bs58::decode(out["message_base58"].as_str().unwrap())
            .into_vec()
            .unwrap(),
        bytes
    );
    let message: solana_sdk::message::Message = bincode::deserialize(&bytes).unwrap();
    assert_eq!(
        message.account_keys[0], multisig,
        "the multisig pays and signs"
    );
    // the same instruction, but for one flag: a message's fee payer is always writable
    let mut expected = keel_sdk::instructions::pause(multisig, w.pool, true, false);
    expected.accounts[0].is_writable = true;
    assert_eq!(decompile(&message), vec![expected]);
    assert_eq!(w.env.snapshot(&[w.pool]).await, before, "nothing was sent");
}

mod base64_decode {
    /// Standard base64 (the CLI's encoding), for the test's own check.
    pub fn decode(s: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(s).unwrap()
    }
}

#[tokio::test]
async fn migrate_lists_tightens_and_queues_once() {
    let mut w = sol_usdc().await;
    let admin = w.admin.insecure_clone();
    fund(&mut w, &admin.pubkey()).await;
    let authority = w.mint_authority.pubkey();
    let new_mint = keel_tests::tokens::create_mint(
        &mut w.env,
        keel_tests::tokens::spl_token(),
        6,
        &authority,
        keel_tests::tokens::MintExtension::None,
    )
    .await;
    let sol = w.market(0).await.config;
    let mut tighter_usdc = w.market(1).await.config;
    tighter_usdc.borrow_cap /= 2;
    let (sol_mint, usdc_mint) = (w.markets[0].keys.mint, w.markets[1].keys.mint);
    let listing = |sol_config: &keel::state::MarketConfig| -> String {
        let entry = |mint: &Pubkey, c: &keel::state::MarketConfig| {
            format!(
                "[[market]]\nmint = \"{mint}\"\n[market.config]\n{}\n",
                toml::to_string(&MarketConfigFile::from_config(c)).unwrap()
            )
        };
        let dir = std::env::temp_dir().join(format!("keel-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "listing-{}.toml",
            sol_config.weights.init_asset_weight_bps
        ));
        let text = [
            entry(&sol_mint, sol_config),
            entry(&usdc_mint, &tighter_usdc),
            entry(&new_mint, &default_config([9; 32])),
        ]
        .concat();
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let file = listing(&sol);
    let first = keel_as(&w, &admin, &[], &["migrate", &file]).await.unwrap();
    let actions = migrate_actions(&first);
    assert_eq!(actions, ["unchanged", "tightened", "listed"]);
    assert_eq!(w.market(1).await.config, tighter_usdc);
    let second = keel_as(&w, &admin, &[], &["migrate", &file]).await.unwrap();
    let actions = migrate_actions(&second);
    assert_eq!(
        actions,
        ["unchanged", "unchanged", "unchanged"],
        "idempotent"
    );

    // a looser SOL weight is queued once, however often the listing is applied
    let mut looser = sol;
    looser.weights.init_asset_weight_bps = 8_400;
    let file = listing(&looser);
    let third = keel_as(&w, &admin, &[], &["migrate", &file]).await.unwrap();
    assert_eq!(third["markets"][0]["action"], "queued");
    let fourth = keel_as(&w, &admin, &[], &["migrate", &file]).await.unwrap();
    assert_eq!(fourth["markets"][0]["action"], "already queued");
    assert_eq!(w.pool_state().await.next_change_id, 1);
}

#[tokio::test]
async fn the_remaining_governance_commands_and_repay_for_another() {
    let mut w = sol_usdc().await;
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    fund(&mut w, &admin.pubkey()).await;
    fund(&mut w, &guardian.pubkey()).await;
    // list a market: it exists, inert until the (zero) delay has passed
    let authority = w.mint_authority.pubkey();
    let mint = keel_tests::tokens::create_mint(
        &mut w.env,
        keel_tests::tokens::spl_token(),
        6,
        &authority,
        keel_tests::tokens::MintExtension::None,
    )
    .await;
    let file = config_file("new.toml", &default_config([7; 32]));
    keel_as(
        &w,
        &admin,
        &[],
        &["gov", "list-market", &mint.to_string(), &file],
    )
    .await
    .unwrap();
    let market = keel_sdk::pda::market(&w.pool, &mint);
    let listed = keel_sdk::decode::market(&w.env.account(market).await.unwrap().data).unwrap();
    assert_eq!(listed.config, default_config([7; 32]));

    // pause then resume liquidation: the grace period starts
    keel_as(&w, &guardian, &[], &["gov", "pause", "--liquidation"])
        .await
        .unwrap();
    assert!(w.pool_state().await.liquidation_paused);
    keel_as(&w, &admin, &[], &["gov", "resume-liquidation"])
        .await
        .unwrap();
    let p = w.pool_state().await;
    assert!(!p.liquidation_paused && p.liquidation_resumed_at > 0);

    // queue new liquidation parameters and a shorter timelock; execute both (delay is zero)
    let dir = std::env::temp_dir().join(format!("keel-cli-liq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let liq_file = dir.join("liq.toml");
    std::fs::write(&liq_file, "close_factor_bps = 4000\nfull_close_hf_bps = 9000\ndust_debt_usd = 5\ntarget_hf_bps = 10300\nbonus_ramp_secs = 300\ngrace_secs = 120\n").unwrap();
    keel_as(
        &w,
        &admin,
        &[],
        &["gov", "queue-liquidation", liq_file.to_str().unwrap()],
    )
    .await
    .unwrap();
    keel_as(&w, &admin, &[], &["gov", "raise-timelock", "60"])
        .await
        .unwrap();
    keel_as(&w, &admin, &[], &["gov", "queue-timelock", "0"])
        .await
        .unwrap();
    w.env.warp(60).await;
    keel_as(&w, &admin, &[], &["gov", "execute", "0"])
        .await
        .unwrap();
    keel_as(&w, &admin, &[], &["gov", "execute", "1"])
        .await
        .unwrap();
    let p = w.pool_state().await;
    assert_eq!(
        (
            p.liquidation.close_factor_bps,
            p.liquidation.grace_secs,
            p.timelock_delay_secs
        ),
        (4_000, 120, 0)
    );

    // repay someone else's debt from the command line
    w.refresh_prices(&[100 * keel_tests::world::USD, keel_tests::world::USD])
        .await;
    let (_lender, borrower) = funded(&mut w).await;
    w.borrow(&borrower, 1, 100 * USDC).await.unwrap();
    let friend = trader(&mut w, &[0, 50 * USDC]).await;
    let usdc = w.markets[1].keys.mint.to_string();
    keel(
        &w,
        &friend,
        &["repay", &usdc, "40", "--for", &borrower.margin.to_string()],
    )
    .await
    .unwrap();
    assert_eq!(balance(&mut w.env, friend.tokens[1]).await, 10 * USDC);
    let debt = w.market(1).await.total_debt_u64().unwrap();
    assert_eq!(debt, 60 * USDC);
}

/// Audit finding 2 through the CLI: a deposit that repairs an account whose bonus clock runs
/// carries the health accounts, so the program restarts the clock.
#[tokio::test]
async fn a_repairing_deposit_from_the_command_line_restarts_the_bonus_clock() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let t = trader(&mut w, &[20 * SOL, 0]).await;
    w.deposit(&t, 0, 10 * SOL).await.unwrap();
    w.borrow(&t, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    w.liquidate(&liq, t.margin, 1, 0, USDC).await.unwrap();
    assert!(w.margin(t.margin).await.liquidatable_since > 0);
    let sol = w.markets[0].keys.mint.to_string();
    keel(&w, &t, &["deposit", &sol, "5"]).await.unwrap();
    assert_eq!(w.margin(t.margin).await.liquidatable_since, 0);
    check(&mut w).await;
}
