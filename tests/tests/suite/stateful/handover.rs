//! Governance and loss actors (issues 26 and 27): an admin hand-over in the middle of a queue,
//! and a keeper booking provisions and rebalancing insurance between random steps (the
//! invariants then check the provisions sum to the markets' and only debts carry them).
use super::*;
use keel::state::Role;
use keel_sdk::instructions as kix;
use solana_sdk::signature::Keypair;

/// The pool's timelock in the fuzzed world once a hand-over has run (it starts at zero).
const DELAY: i64 = 600;

/// Wait out the pool's timelock (zero until a hand-over raised it), prices refreshed after.
pub(super) async fn wait_out_timelock(w: &mut World, (prices, second): ([i64; MARKETS], i64)) {
    let delay = w.pool_state().await.timelock_delay_secs;
    if delay > 0 {
        w.env.warp(delay + 1).await;
        w.refresh_prices(&prices).await;
        w.set_secondary_price(2, second).await;
    }
}

/// A hijacked admin queues a loosening of market `m`, proposes its own guardian and hands the
/// admin seat to a new key in the same breath. Whatever it does, the sitting guardian stays until
/// a proposal's delay has run, the hand-over drops the proposal, and the change queued before it
/// never executes (a new admin starts with an empty queue: governance/change_base.rs).
pub(super) async fn handover(
    w: &mut World,
    m: usize,
    (prices, second): ([i64; MARKETS], i64),
) -> Result<Option<Result<(), TransactionError>>, String> {
    let admin = w.admin.insecure_clone();
    if w.pool_state().await.timelock_delay_secs == 0 {
        let ix = kix::raise_timelock(admin.pubkey(), w.pool, DELAY);
        w.send_as(&admin, &[ix])
            .await
            .map_err(|e| format!("raise_timelock: {e:?}"))?;
    }
    let guardian = w.pool_state().await.guardian;
    let market = w.markets[m].keys.market;
    let mut looser = w.market(m).await.config;
    looser.borrow_cap = looser.borrow_cap.saturating_add(1);
    let change = match w
        .queue(ChangeKind::MarketConfig {
            market,
            config: looser,
        })
        .await
    {
        Ok(c) => c,
        Err(e) => return Ok(Some(Err(e))),
    };
    // its own guardian, proposed: not seated before the delay
    let seat = Keypair::new();
    let propose =
        kix::set_pending_authority(admin.pubkey(), w.pool, Role::Guardian, Some(seat.pubkey()));
    w.send_as(&admin, &[propose])
        .await
        .map_err(|e| format!("propose guardian: {e:?}"))?;
    let accept = kix::accept_authority(seat.pubkey(), w.pool, Role::Guardian);
    match w.send_as(&seat, std::slice::from_ref(&accept)).await {
        Err(e) if custom_error(&e) == Some(u32::from(KeelError::GuardianHandoverTimelocked)) => {}
        other => {
            return Err(format!(
                "a proposed guardian took its seat at once: {other:?}"
            ))
        }
    }
    // the admin seat changes hands: the queue and the guardian proposal die with it
    let next = Keypair::new();
    keel_tests::world::fund(&mut w.env, &next.pubkey(), 1_000_000_000);
    let propose =
        kix::set_pending_authority(admin.pubkey(), w.pool, Role::Admin, Some(next.pubkey()));
    w.send_as(&admin, &[propose])
        .await
        .map_err(|e| format!("propose admin: {e:?}"))?;
    let take = kix::accept_authority(next.pubkey(), w.pool, Role::Admin);
    w.send_as(&next, &[take])
        .await
        .map_err(|e| format!("accept admin: {e:?}"))?;
    w.admin = next.insecure_clone();
    wait_out_timelock(w, (prices, second)).await;
    if w.send_as(&seat, &[accept]).await.is_ok() {
        return Err("a guardian proposed by a replaced admin took its seat".into());
    }
    if w.pool_state().await.guardian != guardian {
        return Err("the guardian changed".into());
    }
    match w.execute(&next, change, Some(m)).await {
        Err(e) if custom_error(&e) == Some(u32::from(KeelError::ChangeBaseChanged)) => {}
        other => return Err(format!("a change queued by a replaced admin: {other:?}")),
    }
    let cancel = kix::cancel_change(next.pubkey(), w.pool, change, w.env.payer().pubkey());
    Ok(Some(w.send_as(&next, &[cancel]).await.map(|_| ())))
}

/// A keeper books trader `t`'s loss in market `m` (refused without debt there or with a stale
/// price), then refills market `m`'s fund from market `donor`'s if it is short.
pub(super) async fn provision(
    w: &mut World,
    (trader, keeper): (&Trader, &Trader),
    (m, donor): (usize, usize),
) -> Option<Result<(), TransactionError>> {
    let booked = w.book_provision(trader.margin, m).await.map(|_| ());
    let market = w.market(m).await;
    let fund = market
        .insurance_fund
        .to_u64(keel::math::fixed::Rounding::Up)
        .unwrap_or(u64::MAX);
    if donor == m || market.provisioned <= fund {
        return Some(booked);
    }
    let side = |i: usize| kix::InsuranceSide {
        market: w.markets[i].keys,
        keeper_token: keeper.tokens[i],
        price: w.markets[i].price_account,
        secondary: w.markets[i].secondary.map(|(feed, _)| feed),
    };
    let (needy, from) = (side(m), side(donor));
    let ix = kix::rebalance_insurance(
        keeper.key.pubkey(),
        w.pool,
        &needy,
        &from,
        market.provisioned,
    );
    let key = keeper.key.insecure_clone();
    Some(w.send_as(&key, &[ix]).await.map(|_| ()))
}
