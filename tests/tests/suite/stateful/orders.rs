//! The fuzzer's deleverage-order actions (instructions/orders/): an owner, its delegate or a
//! stranger posts or cancels an order on an account; the liquidator, the owner or another trader
//! executes one. A stranger must be refused (`NotOwnerOrDelegate`), the owner or delegate as
//! executor too (`OrderSelfExecution`); an execution that lands must have found the account not
//! liquidatable and left its maintenance surplus (`C_w - D_w`) strictly higher. A delegate's
//! order with a bonus must be refused (`DelegateOrderBonus`), half its posts are bonus-free (so
//! they land), and an order that executes must still have its poster behind it: the owner, or the
//! delegate of the epoch it was posted in (issue 26; the delegate actions name, replace and clear
//! delegates in between).
use super::{amount, STATS, TRADERS};
use keel::errors::KeelError;
use keel::state::{OrderParams, OrderTrigger};
use keel_sdk::instructions as kix;
use keel_sdk::pda;
use keel_tests::env::custom_error;
use keel_tests::{Trader, World};
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

/// What an order action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderOp {
    /// Post order `id` (health trigger, repay/seize markets, amount).
    Post,
    /// Cancel order `id`.
    Cancel,
    /// Execute order `id` for up to the amount.
    Execute,
}

/// Order `id` on trader `t`'s account, acted on by trader `by` (or, executing with an even `by`,
/// by the liquidator).
pub async fn order(
    w: &mut World,
    (traders, liquidator): (&[Trader], &Trader),
    (t, by, id): (usize, usize, u8),
    (repay, seize, hf_bps, whole): (usize, usize, u32, u64),
    op: OrderOp,
) -> Result<Option<Result<(), TransactionError>>, String> {
    // half the posts and cancels by the owner, the rest by another trader (maybe its delegate);
    // mostly two different markets (the same one must be refused)
    let by = if by >= TRADERS { t } else { by };
    let seize = if seize == repay && whole % 7 != 0 {
        (repay + 1) % super::MARKETS
    } else {
        seize
    };
    let mut owner = &traders[t];
    let mut order = pda::order(&owner.margin, id);
    let owner_acts = by == t;
    if op == OrderOp::Cancel {
        // an order that exists, on `t`'s account or else another's, when there is one
        'search: for o in (0..TRADERS).map(|k| (t + k) % TRADERS) {
            for i in (0..3).map(|k| (id + k) % 3) {
                let key = pda::order(&traders[o].margin, i);
                if w.env.account(key).await.is_some() {
                    (owner, order) = (&traders[o], key);
                    break 'search;
                }
            }
        }
    }
    let payer = w.env.payer().pubkey();
    let code = |r: &Result<(), TransactionError>| r.as_ref().err().and_then(custom_error);
    match op {
        OrderOp::Post | OrderOp::Cancel => {
            let account = w.margin(owner.margin).await;
            // a non-owner is the account's delegate two times in three (when it has one), so that
            // delegates' orders exist to execute, cancel and void
            let delegate = traders.iter().find(|d| d.key.pubkey() == account.delegate);
            let actor = match (owner_acts, delegate) {
                (true, _) => owner,
                (false, Some(d)) if whole % 3 != 0 => d,
                (false, _) => &traders[by % TRADERS],
            };
            let allowed = account.may_act(&actor.key.pubkey());
            let mut bonus = 0;
            let ix = match op {
                OrderOp::Post => {
                    // two posts in three aim at the account as it stands: its first debt repaid
                    // with its first collateral, triggered just above its health factor (so
                    // executions reach real exchanges); the rest are arbitrary
                    let (repay, seize, hf_bps) = match (whole % 3, aimed(w, owner, &account).await)
                    {
                        (0, _) | (_, None) => (repay, seize, hf_bps),
                        (_, Some((r, s, hf))) => (r, s, hf.max(10_001) + (hf_bps % 500)),
                    };
                    // half of a non-owner's posts are bonus-free, as a delegate's must be
                    let (min_b, max_b) = match !owner_acts && whole % 2 == 0 {
                        true => (0, 0),
                        false => (50, 200),
                    };
                    let params = OrderParams {
                        trigger: OrderTrigger::HealthBelow { hf_bps },
                        max_repay: amount(repay, whole),
                        min_bonus_bps: min_b,
                        max_bonus_bps: max_b,
                        expires_at: 0,
                    };
                    bonus = max_b;
                    let markets = (w.markets[repay].keys.market, w.markets[seize].keys.market);
                    kix::post_order(
                        (actor.key.pubkey(), payer),
                        owner.margin,
                        markets,
                        id,
                        params,
                    )
                }
                _ => kix::cancel_order(actor.key.pubkey(), owner.margin, order, payer),
            };
            let r = w.send_as(&actor.key, &[ix]).await.map(|_| ());
            if op == OrderOp::Post && !owner_acts && r.is_ok() {
                if bonus > 0 {
                    return Err(format!(
                        "a delegate posted a bonus order on {}",
                        owner.margin
                    ));
                }
                count("order_post_by_delegate");
            }
            if !allowed && r.is_ok() {
                return Err(format!("a stranger {op:?}ed an order on {}", owner.margin));
            }
            if !allowed
                && code(&r) != Some(KeelError::NotOwnerOrDelegate.into())
                && w.env.account(order).await.is_some() == (op == OrderOp::Cancel)
            {
                // refused for its authority first, unless the order account itself is missing
                // (cancel) or taken (post), which Anchor checks before the constraint
                return Err(format!("a stranger's {op:?} refused otherwise: {r:?}"));
            }
            Ok(Some(r))
        }
        OrderOp::Execute => {
            let executor = match by % 2 {
                0 => liquidator,
                _ => &traders[by % TRADERS],
            };
            // the order `id` on `t`'s account, or else any order on any trader's account
            let mut found = None;
            'search: for o in (0..TRADERS).map(|k| (t + k) % TRADERS) {
                for i in (0..3).map(|k| (id + k) % 3) {
                    let key = pda::order(&traders[o].margin, i);
                    if let Some(raw) = w.env.account(key).await {
                        owner = &traders[o];
                        found = Some((key, raw));
                        break 'search;
                    }
                }
            }
            let (order, raw) = match found {
                Some(f) => f,
                None => {
                    // none anywhere: the owner of `t` posts one aimed at its account as it
                    // stands (triggered at once when it has debt), then it is executed
                    let mut target = None;
                    for o in (0..TRADERS).map(|k| (t + k) % TRADERS) {
                        let account = w.margin(traders[o].margin).await;
                        if let Some(a) = aimed(w, &traders[o], &account).await {
                            target = Some((o, a));
                            break;
                        }
                    }
                    let Some((o, (r, s, hf))) = target else {
                        count("order_execute_without_order");
                        return Ok(None);
                    };
                    owner = &traders[o];
                    let order = pda::order(&owner.margin, id);
                    let params = OrderParams {
                        trigger: OrderTrigger::HealthBelow {
                            hf_bps: (hf + 1).max(10_001),
                        },
                        max_repay: amount(r, whole),
                        min_bonus_bps: 50,
                        max_bonus_bps: 200,
                        expires_at: 0,
                    };
                    let markets = (w.markets[r].keys.market, w.markets[s].keys.market);
                    let ix = kix::post_order(
                        (owner.key.pubkey(), payer),
                        owner.margin,
                        markets,
                        id,
                        params,
                    );
                    if let Err(e) = w.send_as(&owner.key, &[ix]).await {
                        return Ok(Some(Err(e)));
                    }
                    let raw = w.env.account(order).await.ok_or("posted order missing")?;
                    (order, raw)
                }
            };
            let posted = keel_sdk::decode::order(&raw.data).map_err(|e| format!("{e:?}"))?;
            let account = w.margin(owner.margin).await;
            let (r_m, s_m) = (
                w.market_index(&posted.repay_market).ok_or("repay market")?,
                w.market_index(&posted.seize_market).ok_or("seize market")?,
            );
            let before = w.health(owner.margin).await.ok();
            let metas = w.health_metas(owner.margin, None).await;
            let keys = kix::ExecutionKeys {
                executor: executor.key.pubkey(),
                order,
                margin_account: owner.margin,
                payer: posted.payer,
                repay: w.markets[r_m].keys,
                seize: w.markets[s_m].keys,
                repay_source: executor.tokens[r_m],
                seize_destination: executor.tokens[s_m],
            };
            let ix = kix::execute_order(&keys, amount(r_m, whole), &metas);
            let r = w.send_as(&executor.key, &[ix]).await.map(|_| ());
            if account.may_act(&executor.key.pubkey()) {
                if code(&r) != Some(KeelError::OrderSelfExecution.into()) {
                    return Err(format!(
                        "the owner or delegate executed its own order: {r:?}"
                    ));
                }
                return Ok(Some(r));
            }
            if let Some(c) = code(&r) {
                // refusal reasons, by error, in the statistics
                let name = format!("order_execute_refused_{c}");
                count(Box::leak(name.into_boxed_str()));
            }
            if r.is_ok() {
                count("order_execute_landed");
                if !account.order_authority_stands(&posted) {
                    return Err("an order executed after its poster was replaced or revoked".into());
                }
                if posted.posted_by != account.owner {
                    count("order_execute_landed_delegates_order");
                }
                let before =
                    before.ok_or("an execution landed on an account health could not value")?;
                if before.liquidatable {
                    return Err("an order executed on a liquidatable account".into());
                }
                let after = w.health(owner.margin).await.map_err(|e| format!("{e:?}"))?;
                let surplus = |h: &keel::state::HealthReport| {
                    h.collateral_maint.0 as i128 - h.debt_maint.0 as i128
                };
                if surplus(&after) <= surplus(&before) {
                    return Err(format!(
                        "an execution did not improve health: {before:?} -> {after:?}"
                    ));
                }
                if before.health_factor.0 >= hf_threshold(&posted.trigger) {
                    return Err("an order executed above its trigger".into());
                }
            }
            Ok(Some(r))
        }
    }
}

/// The trigger's health factor as a Wad (u128::MAX for other triggers).
fn hf_threshold(trigger: &OrderTrigger) -> u128 {
    match trigger {
        OrderTrigger::HealthBelow { hf_bps } => *hf_bps as u128 * 100_000_000_000_000,
        _ => u128::MAX,
    }
}

/// Count one more `what` in the fuzzer's statistics (`KEEL_FUZZ_STATS`).
fn count(what: &'static str) {
    STATS.lock().unwrap().entry(what).or_default().0 += 1;
}

/// The account's first debt market, first collateral market and health factor (bps, capped at
/// 29,000), when it has both and health can be valued.
async fn aimed(
    w: &mut World,
    owner: &Trader,
    account: &keel::state::MarginAccount,
) -> Option<(usize, usize, u32)> {
    let debt = account.active().iter().find(|p| p.borrow_shares > 0)?;
    let coll = account.active().iter().find(|p| p.deposit_shares > 0)?;
    let hf = w.health(owner.margin).await.ok()?.health_factor.0 / 100_000_000_000_000;
    Some((
        w.market_index(&debt.market)?,
        w.market_index(&coll.market)?,
        hf.min(29_000) as u32,
    ))
}
