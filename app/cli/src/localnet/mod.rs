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
mod net;
pub mod prereqs;

pub use actions::read_pool;
pub use net::Localnet;

use crate::context::CliError;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `keel localnet` arguments.
#[derive(Args, Debug, Clone)]
pub struct LocalnetArgs {
    /// A command for a running localnet; none starts one.
    #[command(subcommand)]
    pub action: Option<LocalnetAction>,
    /// JSON-RPC port on 127.0.0.1; the websocket is the next one (0: free ports).
    #[arg(long, default_value_t = 8899)]
    pub port: u16,
    /// A `keel migrate` listing to apply at start (as the pool admin).
    #[arg(long)]
    pub migrations: Option<PathBuf>,
    /// Where the admin keypair and the pool description are written (and read by price|mint).
    #[arg(long, default_value = ".keel-localnet")]
    pub dir: PathBuf,
    /// The SBF program to deploy (default: KEEL_SO, else target/deploy/keel.so, built if missing).
    #[arg(long)]
    pub keel_so: Option<PathBuf>,
    /// The validator binary (default: KEEL_VALIDATOR, else cu/target's, built if missing).
    #[arg(long)]
    pub validator: Option<PathBuf>,
    /// Milliseconds a slot lasts (a cluster's 400; shorter ages blockhashes out sooner in tests).
    #[arg(long, default_value_t = 400)]
    pub slot_ms: u64,
}

/// Commands for a running localnet (its URL: `--url`, default http://127.0.0.1:8899).
#[derive(Subcommand, Debug, Clone)]
pub enum LocalnetAction {
    /// Set a market's price (symbol, market or mint) in USD.
    Price {
        /// Symbol (SOL), market or mint.
        market: String,
        /// The new price, USD.
        usd: f64,
    },
    /// Mint test tokens of a market to a wallet's associated token account.
    Mint {
        /// Symbol (SOL), market or mint.
        market: String,
        /// Amount in tokens, e.g. 12.5.
        amount: String,
        /// The wallet (default: the signer's).
        #[arg(long)]
        to: Option<String>,
    },
}

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
