//! `keel-liquidator` on `keel localnet` (the real validator): how long from a price update to the
//! liquidation landing, streaming (websocket subscriptions, stream.rs) against polling (a full
//! read every 2 s, the bot's default). A figure, not a timed test: what it asserts is that each
//! mode liquidates every victim.
use super::localnet_http::{borrower, bot_wallet, lender, localnet, mint_of, sol_usd};
use keel_cli::localnet::LocalnetAction;
use keel_liquidator::{run_pass, Config};
use keel_sdk::chain::RpcChain;
use solana_sdk::signature::Keypair;
use std::time::{Duration, Instant};

const TRIALS: usize = 3;
const POLL: Duration = Duration::from_millis(2_000);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Polling,
    Streaming,
}

/// Run the bot in `mode` until it has liquidated; report each landed liquidation's time.
fn start_bot(
    (url, ws): (String, String),
    bot: Keypair,
    config: Config,
    mode: Mode,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::mpsc::UnboundedReceiver<Instant>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = tokio::spawn(async move {
        let chain = RpcChain::new(&url, bot);
        match mode {
            Mode::Polling => loop {
                if let Ok(r) = run_pass(&chain, &config).await {
                    if r.succeeded > 0 {
                        let _ = tx.send(Instant::now());
                    }
                }
                tokio::time::sleep(POLL).await;
            },
            Mode::Streaming => {
                let outcome = keel_liquidator::stream::run_streaming(
                    &chain,
                    &config,
                    &ws,
                    Duration::from_secs(30),
                    |p| {
                        if p.report.succeeded > 0 {
                            let _ = tx.send(Instant::now());
                        }
                    },
                )
                .await;
                panic!("the stream ended: {outcome:?}");
            }
        }
    });
    (handle, rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn bot_reaction_latency_streaming_and_polling() {
    let (net, dir) = localnet("bot").await;
    let usdc = mint_of(&net, "USDC").await;
    let sol = mint_of(&net, "SOL").await;
    lender(&net, &dir, &usdc, "1000000").await;
    let bot = bot_wallet(&net, &dir).await;
    let pool = net.describe()["pool"].as_str().unwrap().parse().unwrap();
    let config = Config::for_pool(pool);
    let price = sol_usd(&net).await;
    let set_price = |usd: f64| {
        super::localnet_http::localnet_cmd(
            &net,
            &dir,
            LocalnetAction::Price {
                market: "SOL".into(),
                usd,
            },
        )
    };
    let mut figures = vec![];
    for mode in [Mode::Polling, Mode::Streaming] {
        let mut millis = vec![];
        for trial in 0..TRIALS {
            // a borrower at 60 % of its SOL's value: liquidatable once SOL loses 40 %
            let borrow = format!("{}", (10.0 * price * 0.6) as u64);
            let name = format!("victim-{mode:?}-{trial}");
            borrower(&net, &dir, &name, (&sol, &usdc), &borrow).await;
            let (bot_task, mut landed) = start_bot(
                (net.url(), net.ws_url()),
                bot.insecure_clone(),
                config.clone(),
                mode,
            );
            // the bot has read the pool (and found nothing) before the price moves, at a phase of
            // the polling interval that differs per trial
            let phase = POLL.as_millis() as u64 * trial as u64 / TRIALS as u64;
            tokio::time::sleep(Duration::from_millis(2_500 + phase)).await;
            let moved = Instant::now();
            set_price(price * 0.6).await;
            let at = tokio::time::timeout(Duration::from_secs(30), landed.recv())
                .await
                .unwrap_or_else(|_| panic!("{mode:?}: no liquidation within 30 s"))
                .unwrap();
            millis.push(at.duration_since(moved).as_millis() as u64);
            bot_task.abort();
            set_price(price).await;
        }
        figures.push(format!("{mode:?} {millis:?} ms"));
    }
    println!(
        "FIGURE bot reaction on keel localnet, price update to liquidation confirmed ({TRIALS} trials each): {}",
        figures.join("; ")
    );
    drop(net);
    let _ = std::fs::remove_dir_all(&dir);
}
