//! `keel localnet`'s arguments.
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
