//! The liquidator bots a run drives: each its wallet, its chain and its queue of plans.
use crate::flash_desks::FlashDesks;
use crate::scenario::Scenario;
use crate::setup;
use keel_liquidator::{Config, Plan};
use keel_localnet::bank_chain::BankChain;
use keel_localnet::world::World;
use keel_sdk::chain::LogSink;
use solana_sdk::signature::Signer;
use std::collections::VecDeque;

/// A bot: its key, its chain, its config and the plans it has made, each due at a step.
pub struct Bot {
    /// Its wallet's key.
    pub key: solana_sdk::signature::Keypair,
    /// Its chain (logging into the run's sink).
    pub chain: BankChain,
    /// Its config (flash mode's routes).
    pub config: Config,
    /// Plans made and not yet sent: (the step due, the plan).
    pub queue: VecDeque<(usize, Plan)>,
}

/// The scenario's liquidator bots: wallets (inventory), configs (flash mode's routes), chains
/// logging into `sink`.
pub async fn open_bots(
    world: &mut World,
    scenario: &Scenario,
    sink: &LogSink,
    flash_desks: Option<&FlashDesks>,
) -> Vec<Bot> {
    let mut bots = vec![];
    for _ in 0..scenario.liquidators.count {
        let key = setup::bot_wallet(world, scenario).await;
        let mut config = Config::for_pool(world.pool);
        // its token accounts, as a bot's config names them (nothing derived at every read)
        for m in 0..world.markets.len() {
            let account = setup::token_account(world, &key.pubkey(), m);
            config
                .token_accounts
                .insert(world.markets[m].keys.mint, account);
        }
        config.min_profit_usd = scenario.liquidators.min_profit_usd;
        if let Some(desks) = flash_desks {
            config.mode = keel_liquidator::config::Mode::Flash;
            config.flash.routes = desks.routes();
            config.flash.slippage_bps = scenario.liquidators.flash_slippage_bps;
        }
        bots.push(Bot {
            chain: world.chain(&key).with_log_sink(sink.clone()),
            key,
            config,
            queue: VecDeque::new(),
        });
    }
    bots
}
