//! `keel localnet` (the SBF `keel.so` on the Surfpool validator, `cu/validator`) over real HTTP:
//! a trader's whole life through the `keel` CLI, governance (`keel gov show`, `keel migrate`), a
//! full bot pass, and `keel localnet price` / `mint`, all through the SDK's `RpcChain` against the
//! validator (what they use on a cluster), never the in-process backends. And requests-per-second
//! figures. `keel.so` and the validator are built first when missing (`keel localnet` does it).
use clap::Parser;
use keel_cli::localnet::{Localnet, LocalnetAction, LocalnetArgs};
use keel_cli::{Cli, CliError, Context};
use keel_sdk::chain::RpcChain;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::signature::{read_keypair_file, write_keypair_file, Keypair, Signer};
use std::path::PathBuf;

/// A localnet on a free port with the Black Thursday listing applied, its files in a fresh
/// directory.
pub(crate) async fn localnet(name: &str) -> (Localnet, PathBuf) {
    let dir = std::env::temp_dir().join(format!("keel-localnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let migrations =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/black-thursday.toml");
    let args = LocalnetArgs {
        action: None,
        port: 0,
        migrations: Some(migrations),
        dir: dir.clone(),
        keel_so: None,
        validator: None,
        slot_ms: 400,
    };
    (Localnet::start(&args).await.unwrap(), dir)
}

/// A wallet with SOL for fees (requestAirdrop), written to `dir/<name>.json`.
pub(crate) async fn wallet(net: &Localnet, dir: &std::path::Path, name: &str) -> (Keypair, String) {
    let key = Keypair::new();
    let path = dir.join(format!("{name}.json"));
    write_keypair_file(&key, &path).unwrap();
    keel_sdk::localnet::Surfnet::new(&net.url())
        .airdrop(&key.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    (key, path.display().to_string())
}

/// `keel localnet price|mint ...` against `net`.
pub(crate) async fn localnet_cmd(
    net: &Localnet,
    dir: &std::path::Path,
    action: LocalnetAction,
) -> String {
    let args = LocalnetArgs {
        action: Some(action),
        port: 0,
        migrations: None,
        dir: dir.to_path_buf(),
        keel_so: None,
        validator: None,
        slot_ms: 400,
    };
    keel_cli::localnet::run(&args, &net.url(), None)
        .await
        .unwrap()
}

/// Mint `amount` of `symbol` to `owner` on `net`.
pub(crate) async fn mint(
    net: &Localnet,
    dir: &std::path::Path,
    symbol: &str,
    amount: &str,
    owner: &Keypair,
) {
    localnet_cmd(
        net,
        dir,
        LocalnetAction::Mint {
            market: symbol.into(),
            amount: amount.into(),
            to: Some(owner.pubkey().to_string()),
        },
    )
    .await;
}

/// `keel --json --url <net> --keypair <keypair> --pool <pool> <args>`, as the binary runs it.
pub(crate) async fn keel(
    net: &Localnet,
    keypair: &str,
    args: &[&str],
) -> Result<serde_json::Value, CliError> {
    let pool = net.describe()["pool"].as_str().unwrap().to_string();
    let url = net.url();
    let mut argv = vec![
        "keel",
        "--json",
        "--url",
        &url,
        "--keypair",
        keypair,
        "--pool",
        &pool,
    ];
    argv.extend_from_slice(args);
    let cli = Cli::parse_from(argv);
    let signer = read_keypair_file(keypair).unwrap();
    let ctx = Context::new(RpcChain::new(&url, signer), pool.parse().unwrap(), &cli)?;
    let out = keel_cli::run(&ctx, &cli.command).await?;
    Ok(out.json)
}

/// A lender: a funded wallet whose margin account holds `amount` USDC (mint `usdc`).
pub(crate) async fn lender(net: &Localnet, dir: &std::path::Path, usdc: &str, amount: &str) {
    let (lender, file) = wallet(net, dir, "lender").await;
    mint(net, dir, "USDC", amount, &lender).await;
    keel(net, &file, &["account", "open"]).await.unwrap();
    keel(net, &file, &["deposit", usdc, amount]).await.unwrap();
}

/// A borrower `name`: 10 SOL deposited, `borrow` USDC borrowed into its wallet (mints `sol`,
/// `usdc`). Its keypair and keypair file.
pub(crate) async fn borrower(
    net: &Localnet,
    dir: &std::path::Path,
    name: &str,
    (sol, usdc): (&str, &str),
    borrow: &str,
) -> (Keypair, String) {
    let (key, file) = wallet(net, dir, name).await;
    mint(net, dir, "SOL", "10", &key).await;
    mint(net, dir, "USDC", "0", &key).await;
    keel(net, &file, &["account", "open"]).await.unwrap();
    keel(net, &file, &["deposit", sol, "10"]).await.unwrap();
    keel(net, &file, &["borrow", usdc, borrow]).await.unwrap();
    (key, file)
}

/// A liquidator's wallet: 1,000,000 USDC and an empty token account of every other market.
pub(crate) async fn bot_wallet(net: &Localnet, dir: &std::path::Path) -> Keypair {
    let (bot, _) = wallet(net, dir, "bot").await;
    mint(net, dir, "USDC", "1000000", &bot).await;
    for symbol in ["SOL", "ETH", "BTC"] {
        mint(net, dir, symbol, "0", &bot).await;
    }
    bot
}

/// SOL's price on `net`, USD.
pub(crate) async fn sol_usd(net: &Localnet) -> f64 {
    let m = net.pool.market("SOL").unwrap();
    let account = RpcClient::new(net.url())
        .get_account(&m.price_account)
        .await
        .unwrap();
    let update = keel_sdk::oracle::decode_price_update(&account.data).unwrap();
    update.price_message.price as f64 / 1e8
}

/// The mint address of `symbol` on `net`.
pub(crate) async fn mint_of(net: &Localnet, symbol: &str) -> String {
    let pool = net.describe();
    pool["markets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["symbol"] == symbol)
        .map(|m| m["mint"].as_str().unwrap().to_string())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trader_governance_and_a_bot_over_http() {
    let (net, dir) = localnet("life").await;
    let (sol, usdc) = (mint_of(&net, "SOL").await, mint_of(&net, "USDC").await);

    // a lender and a trader, funded by the localnet's faucet
    lender(&net, &dir, &usdc, "100000").await;
    let (trader, trader_file) = borrower(&net, &dir, "trader", (&sol, &usdc), "500").await;
    let status = keel(&net, &trader_file, &["status"]).await.unwrap();
    assert!(status.to_string().contains("health"), "{status}");
    // more than the collateral backs: refused with the program's own error
    let refused = keel(&net, &trader_file, &["borrow", &usdc, "5000"])
        .await
        .unwrap_err();
    assert!(refused.0.contains("InitialHealthViolated"), "{refused}");
    // a little more than was borrowed, for the interest accrued meanwhile
    mint(&net, &dir, "USDC", "1", &trader).await;
    keel(&net, &trader_file, &["repay", &usdc, "all"])
        .await
        .unwrap();
    keel(&net, &trader_file, &["withdraw", &sol, "all"])
        .await
        .unwrap();

    // governance as the pool admin: the listing applied at start is applied again, unchanged
    let admin_file = dir.join("admin.json").display().to_string();
    let gov = keel(&net, &admin_file, &["gov", "show"]).await.unwrap();
    let admin = read_keypair_file(&admin_file).unwrap().pubkey().to_string();
    assert!(gov.to_string().contains(&admin), "{gov}");
    let listing =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/black-thursday.toml");
    let migrated = keel(
        &net,
        &admin_file,
        &["migrate", &listing.display().to_string()],
    )
    .await
    .unwrap();
    assert!(
        crate::cli::migrate_actions(&migrated)
            .iter()
            .all(|a| *a == "unchanged"),
        "{migrated}"
    );

    // a borrower near its limit, SOL falls ($1,400 -> $1,100 at the built-in opening of $1,400
    // is not assumed: the test moves it 30 % below whatever it is), the bot liquidates over HTTP
    let sol_price = sol_usd(&net).await;
    let borrow = format!("{}", (10.0 * sol_price * 0.6) as u64);
    borrower(&net, &dir, "victim", (&sol, &usdc), &borrow).await;
    let moved = localnet_cmd(
        &net,
        &dir,
        LocalnetAction::Price {
            market: "SOL".into(),
            usd: sol_price * 0.6,
        },
    )
    .await;
    assert!(moved.contains("SOL"), "{moved}");
    let bot = bot_wallet(&net, &dir).await;
    let pool = net.describe()["pool"].as_str().unwrap().parse().unwrap();
    let chain = RpcChain::new(&net.url(), bot.insecure_clone());
    let report = keel_liquidator::run_pass(&chain, &keel_liquidator::Config::for_pool(pool))
        .await
        .unwrap();
    assert!(report.succeeded >= 1, "{report:?}");
    assert_eq!(report.failed, 0, "{report:?}");
    drop(net);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Requests per second of the validator over HTTP from one client (a figure, not a timed test):
/// `getAccountInfo` of the pool one at a time; `sendTransaction` of SOL transfers with preflight
/// back to back, until all are confirmed; and a wallet's send-and-confirm latency.
#[tokio::test(flavor = "multi_thread")]
async fn localnet_requests_per_second() {
    use std::time::Instant;
    let (net, dir) = localnet("rps").await;
    let client = RpcClient::new_with_commitment(
        net.url(),
        solana_client::rpc_config::CommitmentConfig::confirmed(),
    );
    let pool = net.describe()["pool"].as_str().unwrap().parse().unwrap();
    const READS: u32 = 1_000;
    let started = Instant::now();
    for _ in 0..READS {
        client.get_account(&pool).await.unwrap();
    }
    let reads = READS as f64 / started.elapsed().as_secs_f64();
    let (payer, _) = wallet(&net, &dir, "payer").await;
    // sendTransaction (with preflight) back to back, a fresh blockhash per 50, then all confirmed
    const SENDS: u32 = 200;
    let transfer = |blockhash| {
        let to = solana_sdk::pubkey::Pubkey::new_unique();
        let ix = solana_system_interface::instruction::transfer(&payer.pubkey(), &to, 1_000_000);
        solana_sdk::transaction::Transaction::new_signed_with_payer(
            &[ix],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        )
    };
    let started = Instant::now();
    let mut signatures = vec![];
    let mut blockhash = client.get_latest_blockhash().await.unwrap();
    for i in 0..SENDS {
        if i % 50 == 0 {
            blockhash = client.get_latest_blockhash().await.unwrap();
        }
        signatures.push(client.send_transaction(&transfer(blockhash)).await.unwrap());
    }
    let sends = SENDS as f64 / started.elapsed().as_secs_f64();
    for chunk in signatures.chunks(100) {
        loop {
            let statuses = client.get_signature_statuses(chunk).await.unwrap().value;
            if statuses
                .iter()
                .all(|s| s.as_ref().is_some_and(|s| s.err.is_none()))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let landed = SENDS as f64 / started.elapsed().as_secs_f64();
    // one at a time, each confirmed before the next: a wallet's latency
    const CONFIRMED: u32 = 10;
    let started = Instant::now();
    for _ in 0..CONFIRMED {
        let blockhash = client.get_latest_blockhash().await.unwrap();
        client
            .send_and_confirm_transaction(&transfer(blockhash))
            .await
            .unwrap();
    }
    let latency = started.elapsed().as_secs_f64() * 1_000.0 / CONFIRMED as f64;
    println!(
        "FIGURE localnet over HTTP, one client: getAccountInfo {reads:.0}/s; sendTransaction (preflight) {sends:.0}/s, \
         {landed:.0}/s landed and confirmed; send and confirm one at a time {latency:.0} ms each"
    );
    assert!(reads > 0.0 && sends > 0.0);
    drop(net);
    let _ = std::fs::remove_dir_all(&dir);
}
