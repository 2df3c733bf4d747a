//! Liquidator capital: what the bots hold, and how they refill it.
//!
//! Every bot starts with `liquidators.inventory_usd` of every market's token and can repay no more
//! than it holds (the bot library caps each plan by its balance, fee included). With
//! `liquidators.sell_after_steps = d`, the volatile collateral a bot seizes is sold `d` steps
//! later into the scenario's first stable market, which is what refills its inventory:
//!
//! ```text
//! seizure of volatile market m by bot b at step t  ->  a sale due at the end of step t + d
//! a due sale at step t':  min(amount, b's balance of m) goes to the venue, and
//!                         proceeds = floor(amount * p_m(t') / p_s(t')) of the stable s come back
//!                         (p: the market prices of step t', the path moved by impact, depth.rs)
//! the step's sales of m (USD at p_m) are then absorbed by m's depth: the next step's price
//! ```
//! The venue stands for the outside market (a DEX or an OTC desk): a wallet holding every token,
//! and every sale is a real transaction of two `transfer_checked` instructions (SPL Token or
//! Token-2022), signed by the bot and the venue (which pays the fee). The venue's keys are drawn
//! after every other key of the run, so a scenario that never sells draws exactly the keys it drew
//! before desks existed.
use crate::bots::Bot;
use crate::scenario::Scenario;
use crate::setup::token_account as ata;
use crate::SimError;
use anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked;
use keel_localnet::tokens::{balance, write_token_account};
use keel_localnet::world::{fund, World};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// What the venue holds of every token at the start, USD.
const VENUE_USD: f64 = 1e11;

/// A sale waiting for its step.
#[derive(Clone, Copy, Debug)]
struct Sale {
    due: usize,
    bot: usize,
    market: usize,
    amount: u64,
}

/// The bots' sales desk.
pub struct Desk {
    venue: Keypair,
    /// The venue's token account of every market.
    venue_accounts: Vec<Pubkey>,
    stable: usize,
    delay: usize,
    pending: Vec<Sale>,
    /// Sales sent, over the run.
    pub transactions: u64,
}

impl Desk {
    /// The desk of a scenario whose bots sell (None when they keep what they seize); draws the
    /// venue's keys, so call it after every other wallet of the run exists.
    pub async fn open(world: &mut World, scenario: &Scenario) -> Option<Desk> {
        let delay = scenario.liquidators.sell_after_steps?;
        let stable = scenario
            .markets
            .iter()
            .position(|m| m.process.is_stable())
            .expect("a validated scenario has a stable market");
        let venue = world.keys.keypair();
        fund(&mut world.env, &venue.pubkey(), 1_000_000_000_000);
        let mut venue_accounts = vec![];
        for m in 0..world.markets.len() {
            let keys = world.markets[m].keys;
            let scale = 10f64.powi(scenario.markets[m].decimals as i32);
            let amount = (VENUE_USD / scenario.markets[m].price * scale).min(1e18) as u64;
            let account = ata(world, &venue.pubkey(), m);
            write_token_account(
                &mut world.env,
                keys.token_program,
                &keys.mint,
                &account,
                &venue.pubkey(),
                amount,
            )
            .await;
            venue_accounts.push(account);
        }
        Some(Desk {
            venue,
            venue_accounts,
            stable,
            delay,
            pending: vec![],
            transactions: 0,
        })
    }

    /// Bot `bot` seized `amount` of market `m` at step `step`: sell it later (stable seizures
    /// are inventory already).
    pub fn seized(&mut self, scenario: &Scenario, step: usize, bot: usize, m: usize, amount: u64) {
        if m == self.stable || scenario.markets[m].process.is_stable() || amount == 0 {
            return;
        }
        self.pending.push(Sale {
            due: step + self.delay,
            bot,
            market: m,
            amount,
        });
    }

    /// Send the sales due by `step` at the market `prices`; returns the USD sold per market.
    pub async fn sell_due(
        &mut self,
        world: &mut World,
        scenario: &Scenario,
        step: usize,
        bots: &[Bot],
        prices: &[f64],
    ) -> Result<Vec<f64>, SimError> {
        let mut sold = vec![0.0; prices.len()];
        let (due, later): (Vec<Sale>, Vec<Sale>) = self.pending.iter().partition(|s| s.due <= step);
        self.pending = later;
        let s = self.stable;
        for sale in due {
            let m = sale.market;
            let bot = &bots[sale.bot];
            // its token accounts of the two markets, as its config names them
            let account = |m: usize| bot.config.token_accounts[&world.markets[m].keys.mint];
            let (from, to) = (account(m), account(s));
            // the bot may have spent some of it repaying debt in that token since
            let amount = sale.amount.min(balance(&mut world.env, from).await);
            let (dm, ds) = (scenario.markets[m].decimals, scenario.markets[s].decimals);
            let value = amount as f64 / 10f64.powi(dm as i32) * prices[m];
            let proceeds = (value / prices[s] * 10f64.powi(ds as i32)).floor() as u64;
            if amount == 0 || proceeds == 0 {
                continue;
            }
            let (km, ks) = (world.markets[m].keys, world.markets[s].keys);
            let (venue_m, venue_s) = (self.venue_accounts[m], self.venue_accounts[s]);
            let ixs = [
                transfer_checked(
                    &km.token_program,
                    &from,
                    &km.mint,
                    &venue_m,
                    &bot.key.pubkey(),
                    &[],
                    amount,
                    dm,
                ),
                transfer_checked(
                    &ks.token_program,
                    &venue_s,
                    &ks.mint,
                    &to,
                    &self.venue.pubkey(),
                    &[],
                    proceeds,
                    ds,
                ),
            ]
            .map(|ix| ix.expect("a transfer instruction"));
            // the venue pays the fee: two signatures, not the genesis payer's third
            world
                .env
                .send_paid_by(&self.venue, &ixs, &[&bot.key])
                .await
                .map_err(|e| SimError(format!("a liquidator's sale failed: {e}")))?;
            self.transactions += 1;
            sold[m] += value;
        }
        Ok(sold)
    }
}
