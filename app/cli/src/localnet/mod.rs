//! `keel localnet`: a local Solana cluster that behaves like `solana-test-validator`, with a Keel
//! pool on it. The validator is `keel-validator` (Surfpool 1.7, the Solana Foundation's local
//! cluster: LiteSVM on the Agave 4.3 crates; `cu/validator`): HTTP JSON-RPC on 8899, websocket
//! PubSub on 8900, a slot every 400 ms, blockhashes that rotate and expire. On it: the SBF
//! `keel.so` (what `scripts/build-sbf` builds), SPL Token and Token-2022, one test mint and one
//! Pyth price account per market of the built-in scenario (USDC, SOL, ETH, BTC at their opening
//! prices), a pool listing them, and optionally a `keel migrate` listing applied to it. Every
//! price is republished each second at the cluster's time, so prices stay fresh until someone
//! moves them.
//!
//! ```text
//! keel localnet [--port 8899] [--migrations migrations/black-thursday.toml] [--dir .keel-localnet]
//! keel localnet price SOL 95.2          # a running localnet's SOL price to $95.20
//! keel localnet mint SOL 10 [--to KEY]  # 10 SOL (test tokens) to a wallet's associated account
//! ```
//! `--dir` receives `admin.json` (the pool admin, also the test mints' authority, for `keel gov`,
//! `keel migrate` and the faucet), `guardian.json` and `pool.json` (the pool and each market's
//! symbol, mint, decimals and price account). `price` and `mint` read them from the same `--dir`.
//! Missing `keel.so` or validator binaries are built first (see prereqs.rs).
mod actions;
mod args;
mod net;
pub mod prereqs;

pub use actions::read_pool;
pub use args::{LocalnetAction, LocalnetArgs};
pub use net::Localnet;

use crate::context::CliError;

/// `keel localnet`: start one and serve until interrupted; or send `action` to a running one.
pub async fn run(
    args: &LocalnetArgs,
    url: &str,
    signer: Option<String>,
) -> Result<String, CliError> {
    match &args.action {
        Some(LocalnetAction::Price { market, usd }) => {
            actions::set_price(url, &args.dir, market, *usd).await
        }
        Some(LocalnetAction::Mint { market, amount, to }) => {
            let to = match to {
                Some(to) => to.clone(),
                None => signer.ok_or_else(|| CliError("give --to or a keypair".into()))?,
            };
            actions::mint(url, &args.dir, market, amount, &to).await
        }
        None => {
            let mut net = Localnet::start(args).await?;
            let pool = net.describe();
            eprintln!(
                "keel localnet on {} (websocket {}; pool {}); admin keypair and pool in {}; Ctrl-C stops it",
                net.url(),
                net.ws_url(),
                pool["pool"].as_str().unwrap_or_default(),
                args.dir.display()
            );
            eprintln!(
                "{}",
                serde_json::to_string_pretty(&pool).unwrap_or_default()
            );
            let fresh = net.keep_prices_fresh();
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .map_err(|e| CliError(format!("waiting for SIGTERM: {e}")))?;
            let outcome = loop {
                tokio::select! {
                    r = tokio::signal::ctrl_c() => break r
                        .map(|_| "stopped".to_string())
                        .map_err(|e| CliError(format!("waiting for Ctrl-C: {e}"))),
                    _ = term.recv() => break Ok("stopped".to_string()),
                    _ = tick.tick() => if !net.running() {
                        break Err(CliError("the validator exited".into()));
                    },
                }
            };
            fresh.abort();
            outcome
        }
    }
}
