//! Trader commands: accounts, deposit, withdraw, borrow, repay, status.
use crate::amount::{format, parse, Amount};
use crate::args::{AccountCommand, Command, DelegateCommand};
use crate::context::{pubkey, CliError, Context};
use crate::output::{table, Output};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use keel::state::{MarginAccount, Market};
use keel_sdk::chain::{filters, Chain};
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::oracle::decode_price_update;
use keel_sdk::risk::{account_health, liquidation_prices, position_amounts, MarketState};
use serde_json::json;

fn keys(ctx_pool: Pubkey, key: Pubkey, market: &Market) -> MarketKeys {
    MarketKeys {
        pool: ctx_pool,
        market: key,
        vault: market.vault,
        mint: market.mint,
        token_program: market.token_program,
    }
}

fn units(a: Amount) -> u64 {
    match a {
        Amount::Units(u) => u,
        Amount::All => u64::MAX,
    }
}

async fn margin<C: Chain>(ctx: &Context<C>, key: &Pubkey) -> Result<MarginAccount, CliError> {
    let account = ctx.chain.account(key).await?.ok_or_else(|| {
        CliError(format!(
            "margin account {key} does not exist (open it with `keel account open`)"
        ))
    })?;
    keel_sdk::decode::margin_account(&account.data)
        .map_err(|_| CliError(format!("{key} is not a margin account")))
}

/// Health accounts for `account`'s positions, plus `opening` at the end when it is new.
async fn health_metas<C: Chain>(
    ctx: &Context<C>,
    account: &MarginAccount,
    opening: Option<Pubkey>,
) -> Result<Vec<AccountMeta>, CliError> {
    let markets = ctx.markets().await?;
    let mut list = kix::position_markets(account);
    if let Some(m) = opening {
        if !list.contains(&m) {
            list.push(m);
        }
    }
    Ok(kix::health_accounts(&list, |k| {
        markets
            .iter()
            .find(|(mk, _)| mk == k)
            .map(|(mk, m)| kix::OracleAccounts::of(m, ctx.price_account(mk, m)))
            .unwrap_or_default()
    }))
}

/// Health accounts for a deposit or a repay into `market` of `target`, when its liquidation bonus
/// clock is running: with them the program restarts the clock if the repair made the account
/// healthy. None otherwise (deposits and repays need no oracle).
async fn repair_metas<C: Chain>(
    ctx: &Context<C>,
    target: &Pubkey,
    market: Pubkey,
) -> Result<Vec<AccountMeta>, CliError> {
    match ctx.chain.account(target).await? {
        Some(raw) => match keel_sdk::decode::margin_account(&raw.data) {
            Ok(account) if account.liquidatable_since != 0 => {
                health_metas(ctx, &account, Some(market)).await
            }
            _ => Ok(vec![]),
        },
        None => Ok(vec![]),
    }
}

fn sent(what: &str, signature: String, extra: serde_json::Value) -> Output {
    let mut j = json!({ "action": what, "signature": signature });
    if let (Some(o), Some(e)) = (j.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Output {
        lines: vec![format!("{what}: {signature}")],
        json: j,
    }
}

/// Run a trader command.
pub async fn run<C: Chain>(ctx: &Context<C>, command: &Command) -> Result<Output, CliError> {
    let me = ctx.signer();
    match command {
        Command::Account(AccountCommand::Open { id }) => {
            let sig = ctx
                .send(&[kix::open_account(me, me, ctx.pool, *id)])
                .await?;
            Ok(sent(
                "account opened",
                sig,
                json!({ "account": ctx.margin_account(*id).to_string() }),
            ))
        }
        Command::Delegate(action) => {
            let (key, id, powers, what) = match action {
                DelegateCommand::Set {
                    delegate,
                    id,
                    powers,
                } => (
                    pubkey("delegate", delegate)?,
                    id,
                    delegate_powers(powers)?,
                    "delegate set",
                ),
                DelegateCommand::Clear { id } => (
                    anchor_lang::prelude::Pubkey::default(),
                    id,
                    vec![],
                    "delegate cleared",
                ),
            };
            let account = ctx.margin_account(*id);
            let sig = ctx
                .send(&[kix::set_delegate(me, account, key, &powers)])
                .await?;
            let names: Vec<String> = powers
                .iter()
                .map(|p| format!("{p:?}").to_lowercase())
                .collect();
            Ok(sent(
                what,
                sig,
                json!({ "account": account.to_string(), "delegate": key.to_string(), "powers": names }),
            ))
        }
        Command::Account(AccountCommand::Close { id }) => {
            let sig = ctx
                .send(&[kix::close_account(me, ctx.margin_account(*id))])
                .await?;
            Ok(sent(
                "account closed",
                sig,
                json!({ "account": ctx.margin_account(*id).to_string() }),
            ))
        }
        Command::Account(AccountCommand::List { owner }) => {
            let owner = match owner {
                Some(o) => pubkey("owner", o)?,
                None => me,
            };
            let found = ctx
                .chain
                .program_accounts(&filters::margin_accounts_of(&ctx.pool, &owner))
                .await?;
            let mut rows = vec![vec!["ACCOUNT".into(), "ID".into(), "POSITIONS".into()]];
            let mut items = vec![];
            for (k, a) in found {
                let Ok(m) = keel_sdk::decode::margin_account(&a.data) else {
                    continue;
                };
                rows.push(vec![
                    k.to_string(),
                    m.account_id.to_string(),
                    m.position_count.to_string(),
                ]);
                items.push(json!({ "account": k.to_string(), "id": m.account_id, "positions": m.position_count }));
            }
            Ok(Output {
                lines: table(&rows),
                json: json!(items),
            })
        }
        Command::Deposit { market, amount, id } => {
            let (key, m) = ctx.market(market).await?;
            let a = units(parse(amount, m.decimals, false)?);
            let metas = repair_metas(ctx, &ctx.margin_account(*id), key).await?;
            let ix = kix::with_health_accounts(
                kix::deposit(
                    me,
                    ctx.margin_account(*id),
                    &keys(ctx.pool, key, &m),
                    ctx.token_account(&m),
                    a,
                ),
                &metas,
            );
            let sig = ctx.send(&[ix]).await?;
            Ok(sent(
                "deposited",
                sig,
                json!({ "market": key.to_string(), "units": a }),
            ))
        }
        Command::Withdraw { market, amount, id } => {
            let (key, m) = ctx.market(market).await?;
            let a = units(parse(amount, m.decimals, true)?);
            let account = margin(ctx, &ctx.margin_account(*id)).await?;
            let metas = health_metas(ctx, &account, None).await?;
            let ix = kix::withdraw(
                me,
                ctx.margin_account(*id),
                &keys(ctx.pool, key, &m),
                ctx.token_account(&m),
                a,
                &metas,
            );
            let sig = ctx.send(&[ix]).await?;
            Ok(sent(
                "withdrew",
                sig,
                json!({ "market": key.to_string(), "units": a }),
            ))
        }
        Command::Borrow { market, amount, id } => {
            let (key, m) = ctx.market(market).await?;
            let a = units(parse(amount, m.decimals, false)?);
            let account = margin(ctx, &ctx.margin_account(*id)).await?;
            let metas = health_metas(ctx, &account, Some(key)).await?;
            let ix = kix::borrow(
                me,
                ctx.margin_account(*id),
                &keys(ctx.pool, key, &m),
                ctx.token_account(&m),
                a,
                &metas,
            );
            let sig = ctx.send(&[ix]).await?;
            Ok(sent(
                "borrowed",
                sig,
                json!({ "market": key.to_string(), "units": a }),
            ))
        }
        Command::Repay {
            market,
            amount,
            id,
            for_account,
        } => {
            let (key, m) = ctx.market(market).await?;
            let a = units(parse(amount, m.decimals, true)?);
            let target = match for_account {
                Some(t) => pubkey("account", t)?,
                None => ctx.margin_account(*id),
            };
            let metas = repair_metas(ctx, &target, key).await?;
            let ix = kix::with_health_accounts(
                kix::repay(
                    me,
                    target,
                    &keys(ctx.pool, key, &m),
                    ctx.token_account(&m),
                    a,
                ),
                &metas,
            );
            let sig = ctx.send(&[ix]).await?;
            Ok(sent(
                "repaid",
                sig,
                json!({ "market": key.to_string(), "account": target.to_string(), "units": a }),
            ))
        }
        Command::Status { id, account } => status(ctx, *id, account.as_deref()).await,
        Command::Gov { .. }
        | Command::Migrate { .. }
        | Command::Simulate(_)
        | Command::Order(_)
        | Command::Emode { .. }
        | Command::Localnet(_) => Err(CliError("not a trader command".into())),
    }
}

/// Which source priced a position, in words (oracle/rules.rs).
fn price_source(source: keel::oracle::rules::PriceSource) -> &'static str {
    use keel::oracle::rules::PriceSource as S;
    match source {
        S::None => "none (counts zero)",
        S::Primary => "pyth",
        S::PrimaryOnly => "pyth (switchboard stale)",
        S::Divergent => "both, diverging (worse of each)",
        S::Secondary => "switchboard (pyth stale, haircut)",
        S::Held => "pyth, held at its last update (stale or wide: post a fresh one to trade it)",
    }
}

/// Positions, values, both requirements, health factor, liquidation prices and price sources.
async fn status<C: Chain>(
    ctx: &Context<C>,
    id: u64,
    account: Option<&str>,
) -> Result<Output, CliError> {
    let key = match account {
        Some(a) => pubkey("account", a)?,
        None => ctx.margin_account(id),
    };
    let acc = margin(ctx, &key).await?;
    let now = ctx.chain.clock().await?.unix_timestamp;
    let states = market_states(ctx, now).await?;
    let fail = |e: keel_sdk::risk::RiskError| CliError(format!("cannot value {key}: {e}"));
    let amounts = position_amounts(&acc, &states, now).map_err(fail)?;
    let health = account_health(&acc, &states, now).map_err(fail)?;
    let liq = liquidation_prices(&acc, &states, now).map_err(fail)?;
    let group = keel_sdk::risk::emode_group(&amounts, &states).map_err(fail)?;
    let orders = crate::orders::orders_of(ctx, &key).await?;
    let usd = |w: keel::math::fixed::Wad| w.0 as f64 / 1e18;
    let mut rows = vec![vec![
        "MINT".into(),
        "DEPOSIT".into(),
        "DEBT".into(),
        "LIQUIDATION PRICE".into(),
        "PRICED BY".into(),
    ]];
    let mut positions = vec![];
    for a in &amounts {
        let state = states
            .iter()
            .find(|s| s.key == a.market)
            .expect("valued above");
        let (m, source) = (&state.market, price_source(state.source));
        let lp = liq
            .iter()
            .find(|(k, _)| *k == a.market)
            .and_then(|(_, p)| *p);
        rows.push(vec![
            m.mint.to_string(),
            format(a.deposit, m.decimals),
            format(a.debt, m.decimals),
            lp.map_or("-".into(), |p| format!("{p:.6}")),
            source.into(),
        ]);
        positions.push(json!({ "market": a.market.to_string(), "mint": m.mint.to_string(), "deposit": a.deposit, "debt": a.debt, "liquidation_price": lp, "priced_by": source }));
    }
    let hf = health.health_factor().map(usd).unwrap_or(f64::INFINITY);
    let mut lines = table(&rows);
    lines.push(format!(
        "initial: collateral ${:.2} vs debt ${:.2}   maintenance: collateral ${:.2} vs debt ${:.2}   health factor {}",
        usd(health.collateral_init),
        usd(health.debt_init),
        usd(health.collateral_maint),
        usd(health.debt_maint),
        if health.debt_maint.0 == 0 { "∞".to_string() } else { format!("{hf:.4}") }
    ));
    lines.push(match group {
        Some(g) => format!(
            "e-mode: group {g} (every debt inside it; its collateral at the group's weights)"
        ),
        None => "e-mode: none".into(),
    });
    let symbol = |k: &Pubkey| crate::orders::market_name(&states, k);
    lines.extend(crate::orders::order_lines(&orders, &symbol));
    Ok(Output {
        lines,
        json: json!({
            "account": key.to_string(),
            "positions": positions,
            "collateral_init": usd(health.collateral_init),
            "debt_init": usd(health.debt_init),
            "collateral_maint": usd(health.collateral_maint),
            "debt_maint": usd(health.debt_maint),
            "health_factor": if health.debt_maint.0 == 0 { None } else { Some(hf) },
            "liquidatable": health.is_liquidatable(),
            "emode_group": group,
            "orders": crate::orders::orders_json(&orders, &symbol),
        }),
    })
}

/// Every market of the pool priced as the program would price it at `now`.
pub(crate) async fn market_states<C: Chain>(
    ctx: &Context<C>,
    now: i64,
) -> Result<Vec<MarketState>, CliError> {
    let mut states = vec![];
    for (mk, m) in ctx.markets().await? {
        let price = ctx.chain.account(&ctx.price_account(&mk, &m)).await?;
        let update = price.and_then(|p| decode_price_update(&p.data));
        let feed = match m.config.secondary.is_set() {
            true => ctx.chain.account(&m.config.secondary.feed).await?,
            false => None,
        };
        let feed = feed
            .filter(|a| a.owner == keel::oracle::switchboard::SWITCHBOARD_ON_DEMAND_ID)
            .and_then(|a| keel_sdk::oracle::decode_pull_feed(&a.data));
        states.push(MarketState::with_feeds(
            mk,
            m,
            update.as_ref(),
            feed.as_ref(),
            now,
        ));
    }
    Ok(states)
}

/// Delegate powers by name (deposit, borrow, withdraw, orders).
fn delegate_powers(names: &[String]) -> Result<Vec<keel::state::DelegatePower>, CliError> {
    use keel::state::DelegatePower;
    names
        .iter()
        .map(|n| {
            DelegatePower::ALL
                .into_iter()
                .find(|p| format!("{p:?}").eq_ignore_ascii_case(n.trim()))
                .ok_or_else(|| {
                    CliError(format!(
                        "unknown delegate power '{n}': deposit, borrow, withdraw, orders"
                    ))
                })
        })
        .collect()
}
