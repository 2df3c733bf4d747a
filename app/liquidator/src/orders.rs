//! Triggered deleverage orders (instructions/orders/): found in the pool, planned with the SDK's
//! `order_execution` (the program's own math), executed before any liquidation in the pass. An
//! order repays an account before it reaches liquidation, at the bonus its owner chose, which
//! is cheaper for the trader than a liquidation's.
use crate::snapshot::Snapshot;
use anchor_lang::prelude::Pubkey;
use keel::math::fixed::Rounding;
use keel::math::health::token_value;
use keel::state::{DeleverageOrder, MarginAccount};
use keel_sdk::instructions::{order_execution, Execution};

/// One order the pass will execute.
#[derive(Clone, Debug)]
pub struct OrderChoice {
    /// The order's address.
    pub key: Pubkey,
    /// The order.
    pub order: DeleverageOrder,
    /// The account it deleverages.
    pub account: MarginAccount,
    /// What it exchanges.
    pub execution: Execution,
    /// Repay and seize markets, snapshot indices.
    pub repay: usize,
    /// See `repay`.
    pub seize: usize,
    /// Value of the collateral received less the debt repaid, USD at spot.
    pub profit_usd: f64,
}

/// USD value of `amount` of market `i` at spot (0 without a price).
fn spot_usd(snapshot: &Snapshot, i: usize, amount: u64) -> f64 {
    let m = &snapshot.markets[i];
    m.price
        .and_then(|p| token_value(amount, p.price, p.expo, m.market.decimals, Rounding::Down).ok())
        .map_or(0.0, |v| v.0 as f64 / 1e18)
}

/// The triggered orders worth executing with `balances` (snapshot order; what they spend is
/// taken off), most profitable first. The bot's own accounts (owner or delegate) are skipped:
/// the program refuses them.
pub fn choose_orders(
    snapshot: &Snapshot,
    bot: &Pubkey,
    balances: &mut [u64],
    min_profit_usd: f64,
) -> Vec<OrderChoice> {
    let mut found = vec![];
    for (key, order) in &snapshot.orders {
        let Some((_, account)) = snapshot
            .accounts
            .iter()
            .find(|(k, _)| *k == order.margin_account)
        else {
            continue;
        };
        if account.may_act(bot) {
            continue;
        }
        let (Some(r), Some(s)) = (
            snapshot.market_index(&order.repay_market),
            snapshot.market_index(&order.seize_market),
        ) else {
            continue;
        };
        let plan = |asked| order_execution(order, account, &snapshot.markets, snapshot.now, asked);
        let Some(mut execution) = plan(balances[r]) else {
            continue;
        };
        // the executor pays the protocol's fee on top of the repay: keep both within the balance
        let paid = |e: &keel_sdk::instructions::Execution| e.repay.saturating_add(e.fee);
        if paid(&execution) > balances[r] {
            let Some(smaller) = plan(balances[r].saturating_sub(execution.fee)) else {
                continue;
            };
            execution = smaller;
        }
        if paid(&execution) > balances[r] {
            continue;
        }
        let profit_usd = spot_usd(snapshot, s, execution.seize)
            - spot_usd(snapshot, r, execution.repay)
            - spot_usd(snapshot, r, execution.fee);
        if profit_usd < min_profit_usd {
            continue;
        }
        balances[r] = balances[r].saturating_sub(paid(&execution));
        found.push(OrderChoice {
            key: *key,
            order: order.clone(),
            account: *account,
            execution,
            repay: r,
            seize: s,
            profit_usd,
        });
    }
    found.sort_by(|a, b| b.profit_usd.total_cmp(&a.profit_usd));
    found
}

/// Send the chosen orders (or only report them in a dry run); counts go into `report`.
pub async fn execute_orders(
    chain: &impl keel_sdk::chain::Chain,
    config: &crate::Config,
    plan: &crate::Plan,
    report: &mut crate::PassReport,
) {
    use keel_sdk::instructions::{self as kix, ExecutionKeys};
    use solana_sdk::signature::Signer;
    let snapshot = &plan.snapshot;
    for c in &plan.orders {
        report.orders_attempted += 1;
        tracing::info!(
            order = %c.key,
            account = %c.order.margin_account,
            repay = c.execution.repay,
            seize = c.execution.seize,
            bonus_bps = c.execution.bonus_bps,
            profit_usd = c.profit_usd,
            dry_run = config.dry_run,
            "order chosen"
        );
        if config.dry_run {
            continue;
        }
        let keys = ExecutionKeys {
            executor: chain.payer().pubkey(),
            order: c.key,
            margin_account: c.order.margin_account,
            payer: c.order.payer,
            repay: snapshot.market_keys(config.pool, c.repay),
            seize: snapshot.market_keys(config.pool, c.seize),
            repay_source: plan.token_accounts[c.repay],
            seize_destination: plan.token_accounts[c.seize],
        };
        let metas = snapshot.health_metas(&c.account);
        let ixs = [kix::execute_order(&keys, c.execution.repay, &metas)];
        let units = config.compute_units.unwrap_or_else(|| {
            keel_sdk::compute::liquidation_units(c.account.position_count as usize)
        });
        let outcome = crate::execute::simulate_then_send(chain, &ixs, units).await;
        match outcome {
            Ok(()) => {
                report.orders_executed += 1;
                report.profit_usd += c.profit_usd;
            }
            Err(e) => {
                // an order already executed, cancelled or no longer triggered: the next pass
                // reads afresh
                tracing::info!(order = %c.key, reason = %e, "order not executed");
            }
        }
    }
}
