//! Set-up of a run: the pool and its markets, lenders, traders and liquidator bots, every
//! protocol action a real transaction. Wallet balances (the tokens traders and bots start with)
//! are written straight into token accounts, with the mints' supply raised to match.
//!
//! ```text
//! C_init   = sum over collateral of tokens * spot * (1 - conf) * init_weight
//! borrow   = leverage * C_init / liab_init_weight * (1 - 10^-3)   USD, at spot * (1 + conf)
//! lender   = borrow demand of the market / lender_utilisation
//! defence  = defend_repay_share * borrow, repaid from the borrowed tokens in the wallet
//! ```
use crate::oracle::mantissa;
use crate::population::TraderPlan;
use crate::scenario::Scenario;
use crate::SimError;
use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use keel_localnet::tokens::{spl_token, token_2022, write_token_account, MintExtension};
use keel_localnet::world::{fund, World, WorldOptions};
use keel_localnet::MarketSpec;
use keel_sdk::instructions as kix;
use keel_sdk::pda;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};

/// Lamports each simulated wallet that pays fees starts with.
const WALLET_LAMPORTS: u64 = 1_000_000_000_000;

/// A trader who defends its position (see `Population::defender_share`).
pub struct Defender {
    /// Wallet.
    pub owner: Keypair,
    /// Margin account.
    pub margin: Pubkey,
    /// Market borrowed from (index).
    pub debt_market: usize,
    /// Its address.
    pub market_key: Pubkey,
    /// Wallet token account holding what was borrowed.
    pub wallet: Pubkey,
    /// Base units it repays when it defends.
    pub repay: u64,
    /// Has defended.
    pub done: bool,
}

/// Capital the traders put to work at the start.
#[derive(Default)]
pub struct OpeningBook {
    /// Traders' collateral, USD.
    pub collateral_usd: f64,
    /// Traders' debt, USD.
    pub debt_usd: f64,
    /// Transactions sent.
    pub transactions: u64,
    /// Traders who defend their positions.
    pub defenders: Vec<Defender>,
    /// Deleverage orders posted.
    pub orders: u64,
}

/// A bank with the scenario's pool and markets (keys from `seed`).
pub async fn pool(scenario: &Scenario, seed: u64) -> Result<World, SimError> {
    let mut world = World::start(WorldOptions {
        seed: Some(seed),
        liquidation: scenario.liquidation.config(),
    })
    .await;
    for m in &scenario.markets {
        let spec = MarketSpec {
            token_program: if m.token_2022 {
                token_2022()
            } else {
                spl_token()
            },
            decimals: m.decimals,
            price: mantissa(m.price),
        };
        // a second source's feed key is drawn only when there is one: scenarios without keep
        // every key they always drew
        let secondary = scenario.oracle.secondary.as_ref().map(|_| {
            let feed = world.keys.address();
            keel_sdk::defaults::secondary_source(feed, [0xB0 + world.markets.len() as u8; 32])
        });
        world
            .list_market(&spec, MintExtension::None, |c| {
                m.apply(c);
                if let Some(s) = secondary {
                    c.secondary = s;
                }
            })
            .await
            .map_err(|e| SimError(format!("listing {} was refused: {e}", m.symbol)))?;
    }
    Ok(world)
}

/// Tokens of market `m` worth `usd` at `price`, rounded down.
fn tokens(scenario: &Scenario, m: usize, usd: f64, price: f64) -> u64 {
    let scale = 10f64.powi(scenario.markets[m].decimals as i32);
    (usd / price * scale).floor() as u64
}

/// A wallet with a funded token account per listed market index in `amounts`.
async fn wallet(world: &mut World, amounts: &[(usize, u64)]) -> (Keypair, Vec<(usize, Pubkey)>) {
    let owner = world.keys.keypair();
    let mut accounts = vec![];
    for (m, amount) in amounts {
        let keys = world.markets[*m].keys;
        let key = world.keys.address();
        write_token_account(
            &mut world.env,
            keys.token_program,
            &keys.mint,
            &key,
            &owner.pubkey(),
            *amount,
        )
        .await;
        accounts.push((*m, key));
    }
    (owner, accounts)
}

/// Open a margin account for `owner` with `ixs` after the open, as one transaction.
async fn open_with(
    world: &mut World,
    owner: &Keypair,
    ixs: Vec<Instruction>,
) -> Result<Pubkey, SimError> {
    let payer = world.env.payer().pubkey();
    let mut all = vec![kix::open_account(owner.pubkey(), payer, world.pool, 0)];
    all.extend(ixs);
    world
        .env
        .send(&all, &[owner])
        .await
        .map_err(|e| SimError(format!("opening a position was refused: {e:?}")))?;
    let margin = pda::margin_account(&world.pool, &owner.pubkey(), 0);
    world.accounts.push(margin);
    world.index.lock().unwrap().insert(margin);
    Ok(margin)
}

/// Lenders, then traders: every position opened by a real transaction at the step-0 prices
/// (`conf` is the oracle's relative confidence then).
pub async fn positions(
    world: &mut World,
    scenario: &Scenario,
    plans: &[TraderPlan],
    conf: f64,
) -> Result<OpeningBook, SimError> {
    let prices: Vec<f64> = scenario.markets.iter().map(|m| m.price).collect();
    // what each trader borrows, USD
    let borrows: Vec<f64> = plans
        .iter()
        .map(|t| {
            let c_init: f64 = t
                .collateral
                .iter()
                .map(|(m, usd)| {
                    usd * (1.0 - conf) * scenario.markets[*m].init_weight_bps as f64 / 10_000.0
                })
                .sum();
            let w = scenario.markets[t.debt_market].liab_init_weight_bps as f64 / 10_000.0;
            t.leverage * c_init / w * (1.0 - 1e-3) / (1.0 + conf)
        })
        .collect();
    let mut book = OpeningBook::default();
    // lenders: one account per market with borrow demand
    for (m, price) in prices.iter().enumerate() {
        let demand: f64 = plans
            .iter()
            .zip(&borrows)
            .filter(|(t, _)| t.debt_market == m)
            .map(|(_, b)| b)
            .sum();
        if demand == 0.0 {
            continue;
        }
        let amount = tokens(
            scenario,
            m,
            demand / scenario.population.lender_utilisation,
            *price,
        ) + 1;
        let (owner, accounts) = wallet(world, &[(m, amount)]).await;
        let ix = kix::deposit(
            owner.pubkey(),
            pda::margin_account(&world.pool, &owner.pubkey(), 0),
            &world.markets[m].keys,
            accounts[0].1,
            amount,
        );
        open_with(world, &owner, vec![ix]).await?;
        book.transactions += 1;
    }
    for (t, borrow_usd) in plans.iter().zip(&borrows) {
        let mut amounts: Vec<(usize, u64)> = t
            .collateral
            .iter()
            .map(|(m, usd)| (*m, tokens(scenario, *m, *usd, prices[*m])))
            .collect();
        let borrow = tokens(scenario, t.debt_market, *borrow_usd, prices[t.debt_market]);
        amounts.push((t.debt_market, 0));
        let (owner, accounts) = wallet(world, &amounts).await;
        let margin = pda::margin_account(&world.pool, &owner.pubkey(), 0);
        let mut ixs = vec![];
        for ((m, amount), (_, source)) in amounts.iter().zip(&accounts) {
            if *amount > 0 {
                ixs.push(kix::deposit(
                    owner.pubkey(),
                    margin,
                    &world.markets[*m].keys,
                    *source,
                    *amount,
                ));
            }
        }
        if ixs.is_empty() {
            continue; // collateral too small to hold a single base unit
        }
        if borrow > 0 {
            // the positions as they will stand before the borrow, then the borrowed market
            let mut markets: Vec<Pubkey> = amounts
                .iter()
                .filter(|(_, a)| *a > 0)
                .map(|(m, _)| world.markets[*m].keys.market)
                .collect();
            markets.push(world.markets[t.debt_market].keys.market);
            let metas = world.health_accounts(&markets);
            let destination = accounts.last().expect("debt token account").1;
            ixs.push(kix::borrow(
                owner.pubkey(),
                margin,
                &world.markets[t.debt_market].keys,
                destination,
                borrow,
                &metas,
            ));
        }
        open_with(world, &owner, ixs).await?;
        book.transactions += 1;
        if t.order && borrow > 0 {
            post_order(world, scenario, (&owner, margin), t, borrow).await?;
            book.transactions += 1;
            book.orders += 1;
        }
        let repay = (borrow as f64 * scenario.population.defend_repay_share) as u64;
        if t.defender && repay > 0 {
            book.defenders.push(Defender {
                owner,
                margin,
                debt_market: t.debt_market,
                market_key: world.markets[t.debt_market].keys.market,
                wallet: accounts.last().expect("debt token account").1,
                repay,
                done: false,
            });
        }
        book.collateral_usd += t.collateral.iter().map(|(_, usd)| usd).sum::<f64>();
        book.debt_usd += *borrow_usd;
    }
    Ok(book)
}

/// `owner` posts its deleverage order (order 0): below the scenario's trigger, repay up to its
/// share of `borrow` with the largest collateral.
async fn post_order(
    world: &mut World,
    scenario: &Scenario,
    (owner, margin): (&Keypair, Pubkey),
    t: &TraderPlan,
    borrow: u64,
) -> Result<(), SimError> {
    let p = &scenario.population;
    let (seize, _) = t
        .collateral
        .iter()
        .copied()
        .min_by(|a, b| b.1.total_cmp(&a.1)) // the largest, the first of equals
        .expect("a trader has collateral");
    let params = keel::state::OrderParams {
        trigger: keel::state::OrderTrigger::HealthBelow {
            hf_bps: (p.order_trigger_hf * 10_000.0).round() as u32,
        },
        max_repay: ((borrow as f64 * p.order_repay_share) as u64).max(1),
        min_bonus_bps: p.order_min_bonus_bps,
        max_bonus_bps: p.order_max_bonus_bps,
        expires_at: 0,
    };
    let markets = (
        world.markets[t.debt_market].keys.market,
        world.markets[seize].keys.market,
    );
    let payer = world.env.payer().pubkey();
    let ix = kix::post_order((owner.pubkey(), payer), margin, markets, 0, params);
    world
        .env
        .send(&[ix], &[owner])
        .await
        .map_err(|e| SimError(format!("posting an order was refused: {e:?}")))?;
    Ok(())
}

/// A liquidator bot's wallet: fee lamports and, in every market, an associated token account
/// holding `inventory_usd` worth of tokens.
pub async fn bot_wallet(world: &mut World, scenario: &Scenario) -> Keypair {
    let key = world.keys.keypair();
    fund(&mut world.env, &key.pubkey(), WALLET_LAMPORTS);
    for m in 0..world.markets.len() {
        let keys = world.markets[m].keys;
        let ata = token_account(world, &key.pubkey(), m);
        let amount = tokens(
            scenario,
            m,
            scenario.liquidators.inventory_usd,
            scenario.markets[m].price,
        );
        write_token_account(
            &mut world.env,
            keys.token_program,
            &keys.mint,
            &ata,
            &key.pubkey(),
            amount,
        )
        .await;
    }
    key
}

/// A keeper's wallet (accrues interest, settles bad debt): fee lamports only.
pub fn keeper_wallet(world: &mut World) -> Keypair {
    let key = world.keys.keypair();
    fund(&mut world.env, &key.pubkey(), WALLET_LAMPORTS);
    key
}

/// `owner`'s associated token account of market `m`'s mint.
pub fn token_account(world: &World, owner: &Pubkey, m: usize) -> Pubkey {
    let keys = &world.markets[m].keys;
    get_associated_token_address_with_program_id(owner, &keys.mint, &keys.token_program)
}

/// Every bot's token balance in every market (`[bot][market]`).
pub async fn holdings(world: &mut World, bots: &[Keypair]) -> Vec<Vec<u64>> {
    let mut out = vec![];
    for bot in bots {
        let mut row = vec![];
        for m in 0..world.markets.len() {
            let ata = token_account(world, &bot.pubkey(), m);
            row.push(keel_localnet::tokens::balance(&mut world.env, ata).await);
        }
        out.push(row);
    }
    out
}

/// The bots' profit over the run, USD: what their holdings gained, every token valued at the
/// market `prices` of the last step (collateral not yet sold is marked to market).
pub fn holdings_pnl(
    scenario: &Scenario,
    start: &[Vec<u64>],
    end: &[Vec<u64>],
    prices: &[f64],
) -> f64 {
    let mut pnl = 0.0;
    for (s, e) in start.iter().zip(end) {
        for (m, (a, b)) in s.iter().zip(e).enumerate() {
            let scale = 10f64.powi(scenario.markets[m].decimals as i32);
            pnl += (*b as f64 - *a as f64) / scale * prices[m];
        }
    }
    pnl
}
