//! `keel order post|cancel|list` (deleverage orders, instructions/orders/) and `keel emode`
//! (the pool's e-mode groups and the group an account is in, math/emode.rs).
use crate::amount::{parse, scaled, Amount};
use crate::args::OrderCommand;
use crate::context::{pubkey, CliError, Context};
use crate::output::{table, Output};
use anchor_lang::prelude::Pubkey;
use keel::constants::MAX_ORDERS;
use keel::math::fixed::Wad;
use keel::state::{DeleverageOrder, OrderParams, OrderTrigger};
use keel_sdk::chain::{filters, Chain};
use keel_sdk::instructions as kix;
use keel_sdk::pda;
use keel_sdk::risk::{emode_group, position_amounts, MarketState};
use serde_json::json;

/// The orders on `account`, by id.
pub async fn orders_of<C: Chain>(
    ctx: &Context<C>,
    account: &Pubkey,
) -> Result<Vec<(Pubkey, DeleverageOrder)>, CliError> {
    let mut found: Vec<(Pubkey, DeleverageOrder)> = ctx
        .chain
        .program_accounts(&filters::orders_of(account))
        .await?
        .into_iter()
        .filter_map(|(k, a)| keel_sdk::decode::order(&a.data).ok().map(|o| (k, o)))
        .collect();
    found.sort_by_key(|(_, o)| o.order_id);
    Ok(found)
}

/// A market's mint, shortened, for tables.
pub fn market_name(states: &[MarketState], key: &Pubkey) -> String {
    states
        .iter()
        .find(|s| s.key == *key)
        .map_or(key.to_string(), |s| {
            let m = s.market.mint.to_string();
            format!("{}…", &m[..8])
        })
}

/// Lines of an order table (none without orders).
pub fn order_lines(
    orders: &[(Pubkey, DeleverageOrder)],
    symbol: &dyn Fn(&Pubkey) -> String,
) -> Vec<String> {
    if orders.is_empty() {
        return vec!["orders: none".into()];
    }
    let mut rows = vec![vec![
        "ORDER".into(),
        "TRIGGER".into(),
        "REPAY".into(),
        "WITH".into(),
        "REMAINING (UNITS)".into(),
        "BONUS BPS".into(),
    ]];
    for (_, o) in orders {
        rows.push(vec![
            o.order_id.to_string(),
            kix::describe_trigger(&o.trigger, symbol),
            symbol(&o.repay_market),
            symbol(&o.seize_market),
            o.remaining_repay.to_string(),
            format!("{}-{}", o.min_bonus_bps, o.max_bonus_bps),
        ]);
    }
    table(&rows)
}

/// Orders as JSON.
pub fn orders_json(
    orders: &[(Pubkey, DeleverageOrder)],
    symbol: &dyn Fn(&Pubkey) -> String,
) -> serde_json::Value {
    json!(orders
        .iter()
        .map(|(k, o)| json!({
            "order": k.to_string(),
            "id": o.order_id,
            "trigger": kix::describe_trigger(&o.trigger, symbol),
            "repay_market": o.repay_market.to_string(),
            "seize_market": o.seize_market.to_string(),
            "remaining_repay": o.remaining_repay,
            "min_bonus_bps": o.min_bonus_bps,
            "max_bonus_bps": o.max_bonus_bps,
            "expires_at": o.expires_at,
        }))
        .collect::<Vec<_>>())
}

/// A USD price typed by a person ("95.5") as a Wad (18 decimals, exactly; above zero).
fn usd(text: &str) -> Result<Wad, CliError> {
    match scaled(text, 18) {
        Ok(0) | Err(_) => Err(CliError(format!("invalid price '{text}'"))),
        Ok(w) => Ok(Wad(w)),
    }
}

/// Run `keel order …`.
pub async fn run<C: Chain>(ctx: &Context<C>, command: &OrderCommand) -> Result<Output, CliError> {
    let me = ctx.signer();
    match command {
        OrderCommand::Post {
            repay,
            with,
            max_repay,
            health_below,
            price_below,
            price_above,
            watch,
            min_bonus_bps,
            max_bonus_bps,
            expires_in_secs,
            order_id,
            id,
        } => {
            let account = ctx.margin_account(*id);
            let (repay_key, repay_market) = ctx.market(repay).await?;
            let (seize_key, _) = ctx.market(with).await?;
            let watched = match watch {
                Some(w) => ctx.market(w).await?.0,
                None => seize_key,
            };
            let trigger =
                match (health_below, price_below, price_above) {
                    (Some(h), None, None) => {
                        let Amount::Units(bps) = parse(h, 4, false)? else {
                            unreachable!("all is not allowed")
                        };
                        OrderTrigger::HealthBelow {
                            hf_bps: u32::try_from(bps)
                                .map_err(|_| CliError(format!("health {h} too large")))?,
                        }
                    }
                    (None, Some(p), None) => OrderTrigger::PriceAtOrBelow {
                        market: watched,
                        price: usd(p)?,
                    },
                    (None, None, Some(p)) => OrderTrigger::PriceAtOrAbove {
                        market: watched,
                        price: usd(p)?,
                    },
                    _ => return Err(CliError(
                        "give exactly one trigger: --health-below, --price-below or --price-above"
                            .into(),
                    )),
                };
            let Amount::Units(max_repay) = parse(max_repay, repay_market.decimals, false)? else {
                unreachable!("all is not allowed")
            };
            let now = ctx.chain.clock().await?.unix_timestamp;
            let order_id = match order_id {
                Some(i) => *i,
                None => {
                    let taken = orders_of(ctx, &account).await?;
                    (0..MAX_ORDERS)
                        .find(|i| taken.iter().all(|(_, o)| o.order_id != *i))
                        .ok_or_else(|| {
                            CliError(format!(
                                "account {account} holds {MAX_ORDERS} orders already: cancel one"
                            ))
                        })?
                }
            };
            let params = OrderParams {
                trigger,
                max_repay,
                min_bonus_bps: *min_bonus_bps,
                max_bonus_bps: *max_bonus_bps,
                expires_at: expires_in_secs.map_or(0, |s| now + s),
            };
            let ix = kix::post_order((me, me), account, (repay_key, seize_key), order_id, params);
            let sig = ctx.send(&[ix]).await?;
            let order = pda::order(&account, order_id);
            Ok(Output {
                lines: vec![format!("order {order_id} posted ({order}): {sig}")],
                json: json!({ "action": "order posted", "signature": sig, "order": order.to_string(), "id": order_id, "account": account.to_string() }),
            })
        }
        OrderCommand::Cancel { order_id, id } => {
            let account = ctx.margin_account(*id);
            let order = pda::order(&account, *order_id);
            let raw = ctx
                .chain
                .account(&order)
                .await?
                .ok_or_else(|| CliError(format!("no order {order_id} on {account}")))?;
            let o = keel_sdk::decode::order(&raw.data)
                .map_err(|_| CliError(format!("{order} is not an order")))?;
            let sig = ctx
                .send(&[kix::cancel_order(me, account, order, o.payer)])
                .await?;
            Ok(Output {
                lines: vec![format!("order {order_id} cancelled: {sig}")],
                json: json!({ "action": "order cancelled", "signature": sig, "order": order.to_string() }),
            })
        }
        OrderCommand::List { id, account } => {
            let key = match account {
                Some(a) => pubkey("account", a)?,
                None => ctx.margin_account(*id),
            };
            let now = ctx.chain.clock().await?.unix_timestamp;
            let states = crate::trader::market_states(ctx, now).await?;
            let orders = orders_of(ctx, &key).await?;
            let symbol = |k: &Pubkey| market_name(&states, k);
            Ok(Output {
                lines: order_lines(&orders, &symbol),
                json: orders_json(&orders, &symbol),
            })
        }
    }
}

/// `keel emode`: the pool's groups, and the group of margin account `id` (or `account`).
pub async fn emode<C: Chain>(
    ctx: &Context<C>,
    id: u64,
    account: Option<&str>,
) -> Result<Output, CliError> {
    let key = match account {
        Some(a) => pubkey("account", a)?,
        None => ctx.margin_account(id),
    };
    let now = ctx.chain.clock().await?.unix_timestamp;
    let states = crate::trader::market_states(ctx, now).await?;
    let mut rows = vec![vec![
        "GROUP".into(),
        "MARKET".into(),
        "MINT".into(),
        "INIT".into(),
        "MAINT".into(),
        "ORDINARY INIT/MAINT".into(),
    ]];
    let mut items = vec![];
    let mut grouped: Vec<&MarketState> = states
        .iter()
        .filter(|s| s.market.config.emode.is_set())
        .collect();
    grouped.sort_by_key(|s| s.market.config.emode.group);
    for s in grouped {
        let (e, w) = (&s.market.config.emode, s.market.weights_at(now));
        let maint = s.market.emode_maint_at(now);
        rows.push(vec![
            e.group.to_string(),
            s.key.to_string(),
            s.market.mint.to_string(),
            format!("{:.2}%", e.init_asset_weight_bps as f64 / 100.0),
            format!("{:.2}%", maint as f64 / 100.0),
            format!(
                "{:.2}%/{:.2}%",
                w.init_asset_weight_bps as f64 / 100.0,
                w.maint_asset_weight_bps as f64 / 100.0
            ),
        ]);
        items.push(json!({ "group": e.group, "market": s.key.to_string(), "mint": s.market.mint.to_string(), "init_asset_weight_bps": e.init_asset_weight_bps, "maint_asset_weight_bps": maint }));
    }
    let mut lines = match items.is_empty() {
        true => vec!["no e-mode groups in this pool".into()],
        false => table(&rows),
    };
    let group = match ctx.chain.account(&key).await? {
        Some(raw) => {
            let acc = keel_sdk::decode::margin_account(&raw.data)
                .map_err(|_| CliError(format!("{key} is not a margin account")))?;
            let fail = |e: keel_sdk::risk::RiskError| CliError(format!("cannot value {key}: {e}"));
            let amounts = position_amounts(&acc, &states, now).map_err(fail)?;
            let g = emode_group(&amounts, &states).map_err(fail)?;
            lines.push(match g {
                Some(g) => format!("account {key}: in group {g}"),
                None if amounts.iter().any(|a| a.debt > 0) => {
                    format!("account {key}: no group (a debt outside every group, or in two)")
                }
                None => format!("account {key}: no group (no debt)"),
            });
            g
        }
        None => None,
    };
    Ok(Output {
        lines,
        json: json!({ "groups": items, "account": key.to_string(), "account_group": group }),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn usd_prices_parse_exactly() {
        assert_eq!(super::usd("95.5").unwrap().0, 95_500_000_000_000_000_000);
        assert_eq!(super::usd("0.000000000000000001").unwrap().0, 1);
        assert!(super::usd("0").is_err());
        assert!(super::usd("1.5e3").is_err());
    }
}
