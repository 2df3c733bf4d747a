//! `keel localnet`: a Solana JSON-RPC endpoint on 127.0.0.1 over the embedded chain (the bank the
//! simulator uses: the real program, SPL Token and Token-2022), with the built-in scenario's pool
//! listed (USDC, SOL, ETH, BTC at their opening prices) and, optionally, a `keel migrate` listing
//! applied to it. The clock follows the wall clock and every market's price is republished each
//! second, so prices stay fresh until someone moves them.
//!
//! ```text
//! keel localnet [--port 8899] [--migrations migrations/black-thursday.toml] [--dir .keel-localnet]
//! keel localnet price SOL 95.2          # a running localnet's SOL price to $95.20
//! keel localnet mint SOL 10 [--to KEY]  # 10 SOL (test tokens) to a wallet's associated account
//! ```
//! `--dir` receives `admin.json` (the pool admin's and guardian's keypair, for `keel gov` and
//! `keel migrate`) and `pool.json` (the pool and each market's symbol, mint and price account).
//! Beside the Solana methods the endpoint serves `keel_setPrice [market, usd]`, `keel_mintTo
//! [market, owner, tokens]` and `keel_pool []` (what `pool.json` holds); `market` is a symbol, a
//! market or a mint.
mod methods;

use crate::context::CliError;
use clap::{Args, Subcommand};
use keel_localnet::rpc::LocalRpc;
use keel_localnet::world::World;
use serde_json::json;
use solana_sdk::signature::Signer;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

/// `keel localnet` arguments.
#[derive(Args, Debug, Clone)]
pub struct LocalnetArgs {
    /// A command for a running localnet; none starts one.
    #[command(subcommand)]
    pub action: Option<LocalnetAction>,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8899)]
    pub port: u16,
    /// A `keel migrate` listing to apply at start (as the pool admin).
    #[arg(long)]
    pub migrations: Option<PathBuf>,
    /// Where the admin keypair and the pool description are written.
    #[arg(long, default_value = ".keel-localnet")]
    pub dir: PathBuf,
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

/// A running localnet: the world behind a lock (prices, the faucet) and its endpoint.
pub struct Localnet {
    /// The endpoint.
    pub rpc: LocalRpc,
    /// The embedded chain and its pool.
    pub world: Arc<Mutex<World>>,
    /// Market symbols, in the world's market order.
    pub symbols: Vec<String>,
    /// The price each market is republished at, USD.
    pub prices: Arc<Mutex<Vec<f64>>>,
}

/// Unix time now.
fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Localnet {
    /// List the pool, apply `migrations`, write `dir`, and serve on 127.0.0.1:`port`.
    pub async fn start(args: &LocalnetArgs) -> Result<Localnet, CliError> {
        let scenario = keel_simulator::builtin::black_thursday();
        let mut world = keel_simulator::setup::pool(&scenario, 1)
            .await
            .map_err(|e| CliError(format!("listing the pool: {e}")))?;
        world.env.set_time(wall_clock()).await;
        let prices: Vec<f64> = scenario.markets.iter().map(|m| m.price).collect();
        for (m, p) in prices.iter().enumerate() {
            world
                .set_price(m, keel_simulator::oracle::mantissa(*p))
                .await;
        }
        if let Some(file) = &args.migrations {
            methods::migrate(&world, file).await?;
        }
        let symbols: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
        write_dir(&args.dir, &world, &symbols)?;
        let world = Arc::new(Mutex::new(world));
        let prices = Arc::new(Mutex::new(prices));
        let ledger = world.lock().await.env.ledger.clone();
        let extra = methods::module(world.clone(), symbols.clone(), prices.clone())
            .map_err(|e| CliError(format!("registering keel_* methods: {e}")))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
        let rpc = LocalRpc::start_with(ledger, addr, extra)
            .await
            .map_err(CliError)?;
        let localnet = Localnet {
            rpc,
            world,
            symbols,
            prices,
        };
        localnet.keep_time();
        Ok(localnet)
    }

    /// Every second: the clock to the wall clock, every price republished at it.
    fn keep_time(&self) {
        let (world, prices) = (self.world.clone(), self.prices.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let mut w = world.lock().await;
                let now = wall_clock();
                if now > w.env.now().await {
                    w.env.set_time(now).await;
                }
                let prices = prices.lock().await.clone();
                for (m, p) in prices.iter().enumerate() {
                    w.set_price(m, keel_simulator::oracle::mantissa(*p)).await;
                }
            }
        });
    }

    /// The endpoint's URL.
    pub fn url(&self) -> String {
        self.rpc.url()
    }

    /// What `pool.json` holds.
    pub async fn describe(&self) -> serde_json::Value {
        describe(&*self.world.lock().await, &self.symbols)
    }
}

/// The pool and its markets, as `pool.json` and `keel_pool` give them.
fn describe(world: &World, symbols: &[String]) -> serde_json::Value {
    let markets: Vec<_> = world
        .markets
        .iter()
        .zip(symbols)
        .map(|(m, symbol)| {
            json!({
                "symbol": symbol,
                "market": m.keys.market.to_string(),
                "mint": m.keys.mint.to_string(),
                "token_program": m.keys.token_program.to_string(),
                "decimals": m.decimals,
                "price_account": m.price_account.to_string(),
            })
        })
        .collect();
    json!({
        "pool": world.pool.to_string(),
        "admin": world.admin.pubkey().to_string(),
        "markets": markets,
    })
}

fn write_dir(dir: &PathBuf, world: &World, symbols: &[String]) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError(format!("writing {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    solana_sdk::signature::write_keypair_file(&world.admin, dir.join("admin.json"))
        .map_err(|e| CliError(format!("writing the admin keypair: {e}")))?;
    let text = serde_json::to_string_pretty(&describe(world, symbols)).unwrap_or_default();
    std::fs::write(dir.join("pool.json"), text).map_err(io)
}

/// `keel localnet`: start one and serve until interrupted; or send `action` to a running one.
pub async fn run(
    args: &LocalnetArgs,
    url: &str,
    signer: Option<String>,
) -> Result<String, CliError> {
    match &args.action {
        Some(LocalnetAction::Price { market, usd }) => methods::set_price(url, market, *usd).await,
        Some(LocalnetAction::Mint { market, amount, to }) => {
            let to = match to {
                Some(to) => to.clone(),
                None => signer.ok_or_else(|| CliError("give --to or a keypair".into()))?,
            };
            methods::mint(url, market, amount, &to).await
        }
        None => {
            let net = Localnet::start(args).await?;
            let pool = net.describe().await;
            eprintln!(
                "keel localnet on {} (pool {}); admin keypair and pool in {}; Ctrl-C stops it",
                net.url(),
                pool["pool"].as_str().unwrap_or_default(),
                args.dir.display()
            );
            eprintln!(
                "{}",
                serde_json::to_string_pretty(&pool).unwrap_or_default()
            );
            tokio::signal::ctrl_c()
                .await
                .map_err(|e| CliError(format!("waiting for Ctrl-C: {e}")))?;
            net.rpc.stop().await;
            Ok("stopped".into())
        }
    }
}
