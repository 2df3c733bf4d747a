//! Builders of the deleverage-order instructions (post, cancel, execute), and what an execution
//! would exchange, computed with the program's own math (keel::math::order) on the account as a
//! client sees it.
use super::{build, MarketKeys};
use crate::pda;
use crate::risk::{position_amounts, MarketState};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::system_program;
use keel::accounts as acc;
use keel::instruction as ix;
use keel::math::fixed::Wad;
use keel::math::order::{order_exchange, order_fee, unit_band, OrderSide};
use keel::state::{DeleverageOrder, MarginAccount, OrderParams, OrderTrigger};

/// `post_order` number `order_id` on `margin_account`, signed by its owner or delegate
/// (`authority`), rent from `payer`.
pub fn post_order(
    (authority, payer): (Pubkey, Pubkey),
    margin_account: Pubkey,
    (repay_market, seize_market): (Pubkey, Pubkey),
    order_id: u8,
    params: OrderParams,
) -> Instruction {
    build(
        acc::PostOrder {
            authority,
            payer,
            margin_account,
            repay_market,
            seize_market,
            order: pda::order(&margin_account, order_id),
            system_program: system_program::ID,
        },
        ix::PostOrder { order_id, params },
        &[],
    )
}

/// `cancel_order` (`payer`: the order's rent payer, who gets the rent back).
pub fn cancel_order(
    authority: Pubkey,
    margin_account: Pubkey,
    order: Pubkey,
    payer: Pubkey,
) -> Instruction {
    build(
        acc::CancelOrder {
            authority,
            margin_account,
            order,
            payer,
        },
        ix::CancelOrder {},
        &[],
    )
}

/// Keys of an execution: the executor, the order and both markets with the executor's token
/// accounts.
#[derive(Clone, Copy, Debug)]
pub struct ExecutionKeys {
    /// The executor (signer).
    pub executor: Pubkey,
    /// The order.
    pub order: Pubkey,
    /// The order's account.
    pub margin_account: Pubkey,
    /// The order's rent payer.
    pub payer: Pubkey,
    /// The market whose debt is repaid.
    pub repay: MarketKeys,
    /// The market whose collateral is paid out.
    pub seize: MarketKeys,
    /// The executor's token account of the repay mint.
    pub repay_source: Pubkey,
    /// The executor's token account of the seize mint.
    pub seize_destination: Pubkey,
}

/// `execute_order` for up to `repay_amount`; `health_accounts` price the account's positions.
pub fn execute_order(
    keys: &ExecutionKeys,
    repay_amount: u64,
    health_accounts: &[AccountMeta],
) -> Instruction {
    build(
        acc::ExecuteOrder {
            executor: keys.executor,
            margin_account: keys.margin_account,
            pool: keys.repay.pool,
            order: keys.order,
            payer: keys.payer,
            repay: acc::LiquidationLeg {
                market: keys.repay.accounts(),
                liquidator_token: keys.repay_source,
            },
            seize: acc::LiquidationLeg {
                market: keys.seize.accounts(),
                liquidator_token: keys.seize_destination,
            },
        },
        ix::ExecuteOrder { repay_amount },
        health_accounts,
    )
}

/// What executing an order would exchange now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Debt repaid, base units of the repay market.
    pub repay: u64,
    /// Collateral paid to the executor, base units of the seize market.
    pub seize: u64,
    /// The protocol's share of the bonus, repay-market base units, paid on top of `repay`.
    pub fee: u64,
    /// The executor's bonus, bps.
    pub bonus_bps: u16,
}

/// The execution of `order` for up to `asked` on `account` at `now`, as the program would make
/// it; `None` when it would be refused: expired, not triggered, the account liquidatable or not
/// valuable, a market unpriced, nothing to exchange. (The post-condition, health improved, holds
/// by the bonus bound the program enforces; the program checks it again.)
pub fn order_execution(
    order: &DeleverageOrder,
    account: &MarginAccount,
    markets: &[MarketState],
    now: i64,
    asked: u64,
) -> Option<Execution> {
    if order.expired(now) {
        return None;
    }
    let health = crate::risk::account_health(account, markets, now).ok()?;
    if health.is_liquidatable() {
        return None;
    }
    let hf = health.health_factor().ok()?;
    let market = |k: &Pubkey| markets.iter().find(|m| m.key == *k);
    let band = |k: &Pubkey| -> Result<(Wad, Wad), ()> {
        let m = market(k).ok_or(())?;
        // a price order fires on Pyth's price only (PriceTriggerNeedsPrimary)
        if m.source == keel::oracle::rules::PriceSource::Secondary {
            return Err(());
        }
        unit_band(&m.price.ok_or(())?, m.market.decimals).map_err(|_| ())
    };
    let moves = account.delegate_moves_health();
    let bonus = order.triggered_bonus(hf, moves, band).ok()??;
    let (rm, sm) = (market(&order.repay_market)?, market(&order.seize_market)?);
    // a held price (stale or too-wide feed) is never exchanged: the program refuses the legs
    let held_price =
        |m: &crate::risk::MarketState| m.source == keel::oracle::rules::PriceSource::Held;
    if held_price(rm) || held_price(sm) {
        return None;
    }
    let bonus = bonus.min(sm.market.config.bonus.max_bonus_bps);
    let amounts = position_amounts(account, markets, now).ok()?;
    let held = |k: &Pubkey| amounts.iter().find(|a| a.market == *k);
    let r = OrderSide {
        amount: held(&order.repay_market)?.debt,
        price: rm.price?,
        decimals: rm.market.decimals,
    };
    let s = OrderSide {
        amount: held(&order.seize_market)?.deposit,
        price: sm.price?,
        decimals: sm.market.decimals,
    };
    let (repay, seize) = order_exchange(asked, order.remaining_repay, &r, &s, bonus).ok()?;
    let fee_bps = sm.market.config.bonus.protocol_fee_bps;
    let fee = order_fee(repay, seize, (&r, &s), fee_bps).ok()?;
    (repay > 0).then_some(Execution {
        repay,
        seize,
        fee,
        bonus_bps: bonus,
    })
}

/// A trigger in words, for listings.
pub fn describe_trigger(trigger: &OrderTrigger, symbol: impl Fn(&Pubkey) -> String) -> String {
    let usd = |p: &Wad| format!("${:.4}", p.0 as f64 / 1e18);
    match trigger {
        OrderTrigger::HealthBelow { hf_bps } => {
            format!("health < {:.2}", *hf_bps as f64 / 1e4)
        }
        OrderTrigger::PriceAtOrBelow { market, price } => {
            format!("{} <= {}", symbol(market), usd(price))
        }
        OrderTrigger::PriceAtOrAbove { market, price } => {
            format!("{} >= {}", symbol(market), usd(price))
        }
    }
}
