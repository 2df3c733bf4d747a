//! Streaming mode: instead of reading the whole pool every few seconds, the bot reads it once,
//! then follows it through websocket PubSub: `programSubscribe` on Keel (margin accounts, orders,
//! markets, the pool) and `accountSubscribe` on every price and second-source account. Each
//! notification updates its in-memory copy (`Book`); a pass (value, choose, send) runs on the
//! copy as soon as a notification could change an account's health, with the notifications that
//! arrived meanwhile folded in. A full read every `resync` repairs anything a dropped
//! notification missed and picks up new markets; a closed subscription ends the run with an
//! error (the caller reconnects).
use crate::book::{Book, Change};
use crate::config::Config;
use crate::execute::{execute, plan, PassReport};
use anchor_lang::prelude::Pubkey;
use futures_util::stream::{BoxStream, SelectAll};
use futures_util::{FutureExt, StreamExt};
use keel_sdk::chain::Chain;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_client::nonblocking::pubsub_client::PubsubClient;
use solana_client::rpc_config::{CommitmentConfig, RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_sdk::account::Account;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Why a pass ran, with how long after its first notification the pass began.
#[derive(Clone, Debug)]
pub struct StreamPass {
    /// The pass's report.
    pub report: PassReport,
    /// Notifications folded into this pass.
    pub notifications: usize,
    /// From the first notification's arrival to the end of the pass.
    pub elapsed: Duration,
}

fn account_config() -> RpcAccountInfoConfig {
    RpcAccountInfoConfig {
        encoding: Some(UiAccountEncoding::Base64),
        commitment: Some(CommitmentConfig::confirmed()),
        ..RpcAccountInfoConfig::default()
    }
}

type Notification = (Pubkey, Option<Account>);

fn decoded(key: &str, ui: &UiAccount) -> Option<Notification> {
    let key = Pubkey::from_str(key).ok()?;
    Some((key, ui.decode::<Account>()))
}

/// Follow the pool in `config` through the websocket at `ws_url` and act on it, calling
/// `on_pass` after each pass, until a subscription closes or the cluster fails.
pub async fn run_streaming(
    chain: &impl Chain,
    config: &Config,
    ws_url: &str,
    resync: Duration,
    mut on_pass: impl FnMut(&StreamPass),
) -> Result<(), String> {
    let pubsub = PubsubClient::new(ws_url)
        .await
        .map_err(|e| format!("websocket {ws_url}: {e}"))?;
    let program_config = RpcProgramAccountsConfig {
        account_config: account_config(),
        ..RpcProgramAccountsConfig::default()
    };
    let (program, _unsubscribe) = pubsub
        .program_subscribe(&keel::ID, Some(program_config))
        .await
        .map_err(|e| format!("programSubscribe: {e}"))?;
    let mut streams: SelectAll<BoxStream<'_, Option<Notification>>> = SelectAll::new();
    streams.push(
        program
            .map(|r| decoded(&r.value.pubkey, &r.value.account))
            .boxed(),
    );
    // subscribed before the first read, so nothing between the two is lost
    let mut book = Book::fetch(chain, config)
        .await
        .map_err(|e| e.to_string())?;
    let mut watched = vec![];
    let mut timer = tokio::time::interval(resync);
    loop {
        let (first, mut notifications, mut change) = tokio::select! {
            n = streams.next() => match n {
                Some(Some((key, account))) => {
                    (Some(Instant::now()), 1usize, book.apply(config, &key, account.as_ref()))
                }
                Some(None) => continue,
                None => return Err("the subscriptions closed".into()),
            },
            _ = timer.tick() => {
                book = Book::fetch(chain, config).await.map_err(|e| e.to_string())?;
                (None, 0, Change::Prices)
            },
        };
        // every oracle account the markets read is followed (new markets come with a resync)
        for key in book.oracle_keys(config) {
            if watched.contains(&key) {
                continue;
            }
            let (stream, _unsubscribe) = pubsub
                .account_subscribe(&key, Some(account_config()))
                .await
                .map_err(|e| format!("accountSubscribe {key}: {e}"))?;
            streams.push(
                stream
                    .map(move |r| Some((key, r.value.decode::<Account>())))
                    .boxed(),
            );
            watched.push(key);
        }
        // fold in whatever else has already arrived
        while let Some(Some(n)) = streams.next().now_or_never() {
            if let Some((key, account)) = n {
                notifications += 1;
                let c = book.apply(config, &key, account.as_ref());
                change = match (change, c) {
                    (Change::Prices, _) | (_, Change::Prices) => Change::Prices,
                    (Change::Account, _) | (_, Change::Account) => Change::Account,
                    _ => Change::Irrelevant,
                };
            }
        }
        if change == Change::Irrelevant {
            continue;
        }
        let started = first.unwrap_or_else(Instant::now);
        let now = chain
            .clock()
            .await
            .map_err(|e| e.to_string())?
            .unix_timestamp;
        let snapshot = book.snapshot(config, now);
        let report = match plan(chain, config, snapshot).await {
            Ok(p) => execute(chain, config, &p).await,
            Err(e) => {
                tracing::warn!(error = %e, "streaming pass failed");
                continue;
            }
        };
        on_pass(&StreamPass {
            report,
            notifications,
            elapsed: started.elapsed(),
        });
    }
}
