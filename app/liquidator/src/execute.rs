//! One pass of the bot: snapshot, evaluate, choose, simulate, send; with a report.
use crate::config::Config;
use crate::config::Mode;
use crate::evaluate::{liquidatable, Candidate};
use crate::flash::RouteContext;
use crate::snapshot::Snapshot;
use crate::strategy::{choose_funded, Choice, Funding};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::Account as TokenAccount;
use keel::errors::KeelError;
use keel_sdk::chain::{Chain, ChainError};
use keel_sdk::instructions::{self as kix, LiquidationKeys};
use solana_sdk::signature::Signer;
use tracing::{info, warn};

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PassReport {
    /// Accounts valued.
    pub evaluated: usize,
    /// Accounts found liquidatable.
    pub liquidatable: usize,
    /// Liquidations sent (or, in a dry run, that would be).
    pub attempted: usize,
    /// Liquidations that landed.
    pub succeeded: usize,
    /// Lost races: the account was already liquidated or repaired when ours arrived.
    pub skipped: usize,
    /// Other failures (logged; their errors in `errors`).
    pub failed: usize,
    /// The error of each failure.
    pub errors: Vec<String>,
    /// Expected profit of the liquidations and orders that landed, USD.
    pub profit_usd: f64,
    /// Triggered deleverage orders sent (or, in a dry run, that would be).
    pub orders_attempted: usize,
    /// Orders that landed.
    pub orders_executed: usize,
}

/// Errors that mean another actor got there first (or the state moved): skip, do not retry; the
/// next pass reads the chain afresh. A position emptied since the read changes the account's
/// remaining-accounts list, hence the two remaining-accounts errors.
const RACES: [KeelError; 10] = [
    // a feed went stale between the read and the send: the next pass re-reads its source
    KeelError::HeldPriceNotExchangeable,
    KeelError::RemainingAccountsCount,
    KeelError::RemainingAccountMismatch,
    KeelError::NotLiquidatable,
    KeelError::NothingToLiquidate,
    KeelError::NoDebt,
    KeelError::NoCollateralInSeizeMarket,
    KeelError::InsufficientLiquidity,
    KeelError::OracleStale,
    KeelError::LiquidationGracePeriod,
];

fn is_race(e: &ChainError) -> bool {
    e.custom_code()
        .is_some_and(|c| RACES.iter().any(|r| u32::from(*r) == c))
}

/// The amount a token account (SPL Token or Token-2022) holds; 0 for a missing or foreign
/// account.
fn token_balance(account: Option<solana_sdk::account::Account>) -> u64 {
    account
        .and_then(|a| {
            StateWithExtensions::<TokenAccount>::unpack(&a.data)
                .ok()
                .map(|s| s.base.amount)
        })
        .unwrap_or(0)
}

/// The bot's token account for `mint` and its balance.
async fn inventory(
    chain: &impl Chain,
    config: &Config,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Result<(Pubkey, u64), ChainError> {
    let owner = chain.payer().pubkey();
    let key = config.token_accounts.get(mint).copied().unwrap_or_else(|| {
        get_associated_token_address_with_program_id(&owner, mint, token_program)
    });
    let balance = token_balance(chain.account(&key).await?);
    Ok((key, balance))
}

/// A pass's decisions, before anything is sent.
pub struct Plan {
    /// The read they were made on.
    pub snapshot: Snapshot,
    /// The bot's token account of each market's mint (snapshot order).
    pub token_accounts: Vec<Pubkey>,
    /// The liquidations chosen, most urgent first: (candidate account, choice).
    pub liquidations: Vec<(Candidate, Choice)>,
    /// Triggered deleverage orders chosen, executed before the liquidations.
    pub orders: Vec<crate::orders::OrderChoice>,
    /// Accounts valued.
    pub evaluated: usize,
    /// Accounts found liquidatable.
    pub liquidatable: usize,
}

/// Read the pool and choose the liquidations to make.
pub async fn prepare(chain: &impl Chain, config: &Config) -> Result<Plan, ChainError> {
    let snapshot = Snapshot::load(chain, config).await?;
    plan(chain, config, snapshot).await
}

/// Choose the liquidations to make on `snapshot` (reads only the bot's inventory and, in flash
/// mode, what the vaults can lend).
pub async fn plan(
    chain: &impl Chain,
    config: &Config,
    snapshot: Snapshot,
) -> Result<Plan, ChainError> {
    let (evaluated, mut candidates) = liquidatable(&snapshot);
    // Most urgent first (largest maintenance shortfall, then address): when block space or
    // inventory runs short, the accounts closest to bad debt are served first.
    candidates.sort_by(|a, b| {
        let shortfall = |c: &Candidate| c.health.debt_maint.0 - c.health.collateral_maint.0;
        shortfall(b)
            .cmp(&shortfall(a))
            .then_with(|| a.key.cmp(&b.key))
    });
    let mut token_accounts = vec![];
    let mut balances = vec![];
    for m in &snapshot.markets {
        let (key, balance) =
            inventory(chain, config, &m.market.mint, &m.market.token_program).await?;
        token_accounts.push(key);
        balances.push(balance);
    }
    // orders first: they deleverage an account before it reaches liquidation
    let orders = crate::orders::choose_orders(
        &snapshot,
        &chain.payer().pubkey(),
        &mut balances,
        config.min_profit_usd,
    );
    let liquidatable = candidates.len();
    let liquidity = match config.mode {
        Mode::Flash => lendable(chain, &snapshot).await?,
        Mode::Inventory => vec![],
    };
    let routed = |r: usize, s: usize| {
        let mint = |i: usize| snapshot.markets[i].market.mint;
        config.flash.route(&mint(s), &mint(r)).is_some()
    };
    let mut liquidations = vec![];
    for candidate in candidates {
        let funding = match config.mode {
            Mode::Inventory => Funding::Inventory(&balances),
            Mode::Flash => Funding::Flash {
                liquidity: &liquidity,
                config: &config.flash,
                routed: &routed,
            },
        };
        match choose_funded(&snapshot, &candidate, &funding, config.min_profit_usd) {
            Some(choice) => {
                // the inventory a chosen liquidation spends is not offered twice (a flash loan
                // is back in its vault when its transaction ends)
                if choice.flash.is_none() {
                    let paid = choice.plan.repay.saturating_add(choice.plan.fee);
                    balances[choice.repay] = balances[choice.repay].saturating_sub(paid);
                }
                liquidations.push((candidate, choice));
            }
            None => info!(account = %candidate.key, "liquidatable but nothing pays"),
        }
    }
    Ok(Plan {
        snapshot,
        token_accounts,
        liquidations,
        orders,
        evaluated,
        liquidatable,
    })
}

/// What each market's vault can lend now (its balance less the insurance fund), snapshot order.
async fn lendable(chain: &impl Chain, snapshot: &Snapshot) -> Result<Vec<u64>, ChainError> {
    let vaults: Vec<Pubkey> = snapshot.markets.iter().map(|m| m.market.vault).collect();
    let accounts = chain.accounts(&vaults).await?;
    Ok(snapshot
        .markets
        .iter()
        .zip(accounts)
        .map(|(m, a)| {
            let balance = token_balance(a);
            m.market.available_liquidity(balance).unwrap_or(0)
        })
        .collect())
}

/// The instructions of one chosen liquidation: `liquidate` alone, or in flash mode the flash
/// loan around it and the configured route's sale (flash.rs).
fn liquidation_ixs(
    config: &Config,
    keys: &LiquidationKeys,
    choice: &Choice,
    metas: &[AccountMeta],
) -> Result<Vec<solana_sdk::instruction::Instruction>, String> {
    let Some((borrow, owed)) = choice.flash else {
        return Ok(vec![kix::liquidate(keys, choice.plan.repay, metas)]);
    };
    let route = config
        .flash
        .route(&keys.seize.mint, &keys.repay.mint)
        .ok_or("no route")?;
    let ctx = RouteContext {
        liquidator: keys.liquidator,
        seize_token: keys.seize_destination,
        repay_token: keys.repay_source,
        seize_mint: keys.seize.mint,
        repay_mint: keys.repay.mint,
        seize_token_program: keys.seize.token_program,
        repay_token_program: keys.repay.token_program,
    };
    let swap = route.instruction(&ctx, choice.plan.to_liquidator(), owed)?;
    Ok(kix::flash_liquidation(
        keys,
        (borrow, owed, choice.plan.repay),
        metas,
        &[swap],
    ))
}

/// An insolvent account's loss booked on its other debt markets before it is liquidated (the
/// liquidation books its repay market itself): from then on, no lender of those markets leaves
/// ahead of the write-off (program: risk/provision.rs, issue 27). Its own transaction, best
/// effort: a booking refused (a stale feed somewhere) must never stop the liquidation.
async fn book_provisions(
    chain: &impl Chain,
    candidate: &Candidate,
    keys: &LiquidationKeys,
    metas: &[AccountMeta],
) {
    let h = &candidate.health;
    if h.collateral_spot >= h.debt_spot {
        return;
    }
    let ixs: Vec<_> = candidate
        .account
        .active()
        .iter()
        .filter(|p| p.borrow_shares > 0 && p.market != keys.repay.market)
        .map(|p| kix::book_provision(candidate.key, (keys.pool, p.market), metas))
        .collect();
    if ixs.is_empty() {
        return;
    }
    let n = candidate.account.position_count as usize;
    let units = (ixs.len() as u32).saturating_mul(keel_sdk::compute::health_check_units(n));
    if let Err(e) = simulate_then_send(chain, &ixs, units).await {
        warn!(account = %candidate.key, error = %e, "provision not booked");
    }
}

/// Send the plan's liquidations (or only report them in a dry run).
pub async fn execute(chain: &impl Chain, config: &Config, plan: &Plan) -> PassReport {
    let snapshot = &plan.snapshot;
    let mut report = PassReport {
        evaluated: plan.evaluated,
        liquidatable: plan.liquidatable,
        ..PassReport::default()
    };
    if !config.lookup_tables.is_empty() && !config.dry_run && !plan.liquidations.is_empty() {
        // read afresh each pass: the operator may have extended them
        if let Err(e) = chain.load_lookup_tables(&config.lookup_tables).await {
            warn!(error = %e, "lookup tables unusable: sending without them");
            chain.set_lookup_tables(vec![]);
        }
    }
    crate::orders::execute_orders(chain, config, plan, &mut report).await;
    for (candidate, choice) in &plan.liquidations {
        report.attempted += 1;
        let (r, s) = (
            &snapshot.markets[choice.repay],
            &snapshot.markets[choice.seize],
        );
        info!(
            account = %candidate.key,
            repay_market = %r.key,
            seize_market = %s.key,
            repay = choice.plan.repay,
            fee = choice.plan.fee,
            seize = choice.plan.to_liquidator(),
            bonus_bps = choice.plan.bonus_bps,
            profit_usd = choice.profit_usd,
            flash = choice.flash.is_some(),
            dry_run = config.dry_run,
            "liquidation chosen"
        );
        if config.dry_run {
            continue;
        }
        let keys = LiquidationKeys {
            liquidator: chain.payer().pubkey(),
            margin_account: candidate.key,
            pool: config.pool,
            repay: snapshot.market_keys(config.pool, choice.repay),
            seize: snapshot.market_keys(config.pool, choice.seize),
            repay_source: plan.token_accounts[choice.repay],
            seize_destination: plan.token_accounts[choice.seize],
            deposit_into: None,
        };
        let metas = snapshot.health_metas(&candidate.account);
        let ixs = match liquidation_ixs(config, &keys, choice, &metas) {
            Ok(ixs) => ixs,
            Err(e) => {
                report.failed += 1;
                report.errors.push(format!("{}: {e}", candidate.key));
                continue;
            }
        };
        let flash_units = if choice.flash.is_some() {
            config.flash.extra_compute_units
        } else {
            0
        };
        let n = candidate.account.position_count as usize;
        book_provisions(chain, candidate, &keys, &metas).await;
        let units = config
            .compute_units
            .unwrap_or_else(|| keel_sdk::compute::liquidation_units(n).saturating_add(flash_units));
        let mut sent = simulate_then_send(chain, &ixs, units).await;
        if is_new_position(&sent) {
            // the liquidatee opened a position since the read (issue 26: a 1-unit deposit into
            // another market voided the remaining accounts): read it again, send once more
            sent = match fresh_metas(chain, snapshot, &candidate.key).await {
                Some(metas) => match liquidation_ixs(config, &keys, choice, &metas) {
                    Ok(ixs) => simulate_then_send(chain, &ixs, units).await,
                    Err(_) => sent,
                },
                None => sent,
            };
        }
        match sent {
            Ok(()) => {
                report.succeeded += 1;
                report.profit_usd += choice.profit_usd;
                info!(account = %candidate.key, "liquidated");
            }
            Err(e) if is_race(&e) => {
                report.skipped += 1;
                info!(account = %candidate.key, reason = %e, "skipped: lost the race");
            }
            Err(e) => {
                report.failed += 1;
                report.errors.push(format!("{}: {e}", candidate.key));
                warn!(account = %candidate.key, error = %e, "liquidation failed");
            }
        }
    }
    info!(?report, "pass done");
    report
}

/// True when `sent` failed for a position the snapshot did not know (`MissingPositionPair`).
fn is_new_position(sent: &Result<(), ChainError>) -> bool {
    let missing = u32::from(KeelError::MissingPositionPair);
    matches!(sent, Err(e) if e.custom_code() == Some(missing))
}

/// The account's remaining accounts as it stands now on chain (`None`: unreadable).
async fn fresh_metas(
    chain: &impl Chain,
    snapshot: &crate::snapshot::Snapshot,
    key: &Pubkey,
) -> Option<Vec<solana_sdk::instruction::AccountMeta>> {
    let account = chain.account(key).await.ok()??;
    let margin = keel_sdk::decode::margin_account(&account.data).ok()?;
    Some(snapshot.health_metas(&margin))
}

/// Send `ixs` only when their simulation lands (nothing is paid for a plan the chain refuses).
pub(crate) async fn simulate_then_send(
    chain: &impl Chain,
    ixs: &[solana_sdk::instruction::Instruction],
    units: u32,
) -> Result<(), ChainError> {
    chain.simulate(ixs, &[], units).await?;
    chain.send(ixs, &[], units).await.map(|_| ())
}

/// One pass over the pool: prepare, then execute.
pub async fn run_pass(chain: &impl Chain, config: &Config) -> Result<PassReport, ChainError> {
    let plan = prepare(chain, config).await?;
    Ok(execute(chain, config, &plan).await)
}
