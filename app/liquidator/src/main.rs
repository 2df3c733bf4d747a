//! `keel-liquidator`: watch a Keel pool and liquidate unhealthy margin accounts.
//!
//! ```text
//! keel-liquidator --config bot.toml [--url URL] [--keypair PATH] [--pool PUBKEY] [--dry-run]
//!                 [--once] [--interval-ms MS] [--log-json] [--mode inventory|flash]
//!                 [--stream [--ws-url URL] [--resync-secs S]]
//! keel-liquidator bench [--accounts N] [--markets M] [--seed S]
//! ```
use clap::{Parser, Subcommand};
use keel_liquidator::bench;
use keel_liquidator::{run_pass, Config};
use keel_sdk::chain::RpcChain;
use solana_sdk::signature::read_keypair_file;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "keel-liquidator",
    about = "Liquidate unhealthy Keel margin accounts"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Bot config (TOML: pool, price_accounts, token_accounts, min_profit_usd, compute_units,
    /// mode = "inventory" or "flash", [flash] slippage_bps, network_fee_usd, routes).
    #[arg(long)]
    config: Option<PathBuf>,
    /// JSON-RPC URL of the cluster.
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The bot's keypair (pays fees and the debt it repays, receives the collateral).
    #[arg(long, default_value = "~/.config/solana/id.json")]
    keypair: String,
    /// Pool to watch (overrides the config's).
    #[arg(long)]
    pool: Option<String>,
    /// Report what would be liquidated; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Pay for liquidations from inventory, or with flash loans (needs [flash] routes in the
    /// config to sell the seized collateral); overrides the config's `mode`.
    #[arg(long, value_parser = ["inventory", "flash"])]
    mode: Option<String>,
    /// One pass, then exit.
    #[arg(long)]
    once: bool,
    /// Pause between passes.
    #[arg(long, default_value_t = 2_000)]
    interval_ms: u64,
    /// Log as JSON lines.
    #[arg(long)]
    log_json: bool,
    /// Follow the pool through websocket subscriptions and act on each change, instead of
    /// reading it every --interval-ms (stream.rs).
    #[arg(long, conflicts_with = "once")]
    stream: bool,
    /// The cluster's websocket (default: --url with ws:// and, on a port, the next port, as
    /// the Solana clients derive it).
    #[arg(long)]
    ws_url: Option<String>,
    /// Streaming mode: a full read this often, to repair missed notifications.
    #[arg(long, default_value_t = 30)]
    resync_secs: u64,
}

/// The websocket URL Solana's clients derive from an HTTP one: ws(s)://, the port plus one.
fn ws_url_of(url: &str) -> String {
    let ws = url
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    let (scheme, rest) = ws.split_once("://").unwrap_or(("ws", &ws));
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    match host
        .rsplit_once(':')
        .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h, p)))
    {
        Some((h, port)) => format!("{scheme}://{h}:{}/{path}", port.saturating_add(1))
            .trim_end_matches('/')
            .to_string(),
        None => ws.trim_end_matches('/').to_string(),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Measure in-memory evaluation speed on a synthetic book (one core).
    Bench {
        /// Synthetic margin accounts.
        #[arg(long, default_value_t = 100_000)]
        accounts: usize,
        /// Synthetic markets.
        #[arg(long, default_value_t = 16)]
        markets: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

fn run_bench(accounts: usize, markets: usize, seed: u64) {
    use keel_liquidator::evaluate::{factors, health_of, needs_exact};
    let now = 1_700_000_000;
    let book = bench::markets(markets, now);
    let accs = bench::accounts(accounts, &book, seed);
    let positions: usize = accs.iter().map(|a| a.position_count as usize).sum();
    // exact stage alone: the program's math on every account
    let started = Instant::now();
    let exact = accs
        .iter()
        .filter(|a| health_of(a, &book, now).is_some_and(|h| h.is_liquidatable()))
        .count();
    let exact_secs = started.elapsed().as_secs_f64();
    // the bot's path: screen every account, exact math on the ones near or past the threshold
    let started = Instant::now();
    let f = factors(&book, now);
    let mut checked = 0usize;
    let mut screened = 0usize;
    for a in &accs {
        if needs_exact(a, &f) {
            checked += 1;
            if health_of(a, &book, now).is_some_and(|h| h.is_liquidatable()) {
                screened += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(
        exact, screened,
        "the screen never hides a liquidatable account"
    );
    println!(
        "bench accounts={accounts} positions={positions} liquidatable={exact} exact_seconds={exact_secs:.3} \
         screened_seconds={secs:.3} exactly_checked={checked} accounts_per_second={:.0}",
        accounts as f64 / secs
    );
}

async fn run(cli: Cli) -> Result<(), String> {
    let text = match &cli.config {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| format!("cannot read config {}: {e}", p.display()))?,
        None => String::new(),
    };
    let mut config = match (&cli.config, &cli.pool) {
        (Some(_), _) => Config::from_toml(&text)?,
        (None, Some(pool)) => Config::for_pool(
            anchor_lang::prelude::Pubkey::from_str(pool)
                .map_err(|_| format!("not a public key: {pool}"))?,
        ),
        (None, None) => return Err("give --config or --pool".into()),
    };
    if let Some(pool) = &cli.pool {
        config.pool = anchor_lang::prelude::Pubkey::from_str(pool)
            .map_err(|_| format!("not a public key: {pool}"))?;
    }
    config.dry_run |= cli.dry_run;
    match cli.mode.as_deref() {
        Some("flash") => config.mode = keel_liquidator::config::Mode::Flash,
        Some("inventory") => config.mode = keel_liquidator::config::Mode::Inventory,
        _ => {}
    }
    if config.mode == keel_liquidator::config::Mode::Flash && config.flash.routes.is_empty() {
        return Err(
            "--mode flash needs [[flash.routes]] in the config: how to sell seized collateral"
                .into(),
        );
    }
    let keypair_path = keel_sdk::paths::expand_home(&cli.keypair);
    let payer = read_keypair_file(&keypair_path)
        .map_err(|e| format!("cannot read keypair {}: {e}", keypair_path.display()))?;
    let chain = RpcChain::new(&cli.url, payer);
    if cli.stream {
        let ws = cli.ws_url.clone().unwrap_or_else(|| ws_url_of(&cli.url));
        let resync = Duration::from_secs(cli.resync_secs.max(1));
        loop {
            let outcome =
                keel_liquidator::stream::run_streaming(&chain, &config, &ws, resync, |p| {
                    tracing::info!(report = ?p.report, notifications = p.notifications,
                    millis = p.elapsed.as_millis() as u64, "pass")
                })
                .await;
            if let Err(e) = outcome {
                tracing::warn!(error = %e, "stream ended; reconnecting");
            }
            tokio::time::sleep(Duration::from_millis(cli.interval_ms)).await;
        }
    }
    loop {
        match run_pass(&chain, &config).await {
            Ok(report) => tracing::info!(?report, "pass"),
            Err(e) => tracing::warn!(error = %e, "pass failed"),
        }
        if cli.once {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(cli.interval_ms)).await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if cli.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Some(Command::Bench {
        accounts,
        markets,
        seed,
    }) = cli.command
    {
        run_bench(accounts, markets, seed);
        return ExitCode::SUCCESS;
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ws_url_of;

    #[test]
    fn the_websocket_is_the_next_port_as_solana_clients_derive_it() {
        assert_eq!(ws_url_of("http://127.0.0.1:8899"), "ws://127.0.0.1:8900");
        assert_eq!(
            ws_url_of("https://api.devnet.solana.com"),
            "wss://api.devnet.solana.com"
        );
        assert_eq!(
            ws_url_of("https://rpc.example:443/key"),
            "wss://rpc.example:444/key"
        );
    }
}
