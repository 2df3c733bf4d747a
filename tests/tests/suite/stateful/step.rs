//! One step of the fuzzer: the action as real transactions, what it must never do, then the
//! invariants and the governance check.
use super::actions::tally;
use super::*;

pub(super) async fn step(run: &mut Run, action: &Action) -> Result<(), String> {
    let w = &mut run.w;
    let result: Option<Result<_, TransactionError>> = match *action {
        Action::Deposit { t, m, whole } => Some(
            w.deposit(&run.traders[t], m, amount(m, whole))
                .await
                .map(|_| ()),
        ),
        Action::Withdraw { t, m, whole, all } => {
            let a = if all { u64::MAX } else { amount(m, whole) };
            let r = w.withdraw(&run.traders[t], m, a).await.map(|_| ());
            if r.is_ok() {
                assert_initial_health(w, run.traders[t].margin).await;
            }
            Some(r)
        }
        Action::Borrow { t, m, whole } => {
            let r = w
                .borrow(&run.traders[t], m, amount(m, whole))
                .await
                .map(|_| ());
            if r.is_ok() {
                assert_initial_health(w, run.traders[t].margin).await;
            }
            Some(r)
        }
        Action::Repay {
            payer,
            t,
            m,
            whole,
            all,
        } => {
            let a = if all { u64::MAX } else { amount(m, whole) };
            Some(
                w.repay(&run.traders[payer], run.traders[t].margin, m, a)
                    .await
                    .map(|_| ()),
            )
        }
        Action::BorrowMax { t, m, frac_bps } => {
            let margin = run.traders[t].margin;
            let Ok(report) = w.health(margin).await else {
                return Ok(());
            };
            let headroom =
                report.collateral_init.0.saturating_sub(report.debt_init.0) as f64 / 1e18;
            let usd_per_token = run.prices[m] as f64 * 1e-8 * 1.001;
            let tokens = headroom * frac_bps as f64 / 10_000.0 / usd_per_token;
            let a = (tokens * 10f64.powi(DECIMALS[m] as i32)) as u64;
            if a == 0 {
                return Ok(());
            }
            let r = w.borrow(&run.traders[t], m, a).await.map(|_| ());
            if r.is_ok() {
                assert_initial_health(w, margin).await;
            }
            Some(r)
        }
        Action::Liquidate {
            t,
            repay,
            seize,
            smart,
        } => {
            // smart: like a bot, find a liquidatable account and its largest debt and collateral
            let mut t = t;
            let (mut repay, mut seize) = (repay, seize);
            if smart {
                for (i, trader) in run.traders.iter().enumerate() {
                    if w.health(trader.margin).await.is_ok_and(|h| h.liquidatable) {
                        t = i;
                        break;
                    }
                }
                if let Some(pair) = pick_pair(w, run.traders[t].margin, &run.prices).await {
                    (repay, seize) = pair;
                }
            }
            let before = w.health(run.traders[t].margin).await;
            let r = w
                .liquidate(
                    &run.liquidator,
                    run.traders[t].margin,
                    repay,
                    seize,
                    u64::MAX,
                )
                .await
                .map(|_| ());
            if r.is_ok() {
                let (b, a) = (
                    before.unwrap(),
                    w.health(run.traders[t].margin).await.unwrap(),
                );
                if margin_gap(&a) <= margin_gap(&b) {
                    return Err(format!("liquidation lowered health: {b:?} -> {a:?}"));
                }
            }
            Some(r)
        }
        Action::Price { m, move_bps } => {
            let p = (run.prices[m] + run.prices[m] * move_bps / 10_000).max(START[m] / 20);
            run.prices[m] = p;
            w.set_price(m, p).await;
            if m == 2 {
                run.second = p;
                w.set_secondary_price(2, p).await;
            }
            None
        }
        Action::Warp { secs } => {
            w.env.warp(secs).await;
            let prices = run.prices;
            w.refresh_prices(&prices).await;
            w.set_secondary_price(2, run.second).await;
            None
        }
        Action::Second {
            move_bps,
            stale_secs,
        } => {
            if stale_secs > 0 {
                w.env.warp(stale_secs).await;
                let prices = run.prices;
                w.refresh_prices(&prices).await;
            } else {
                run.second = (run.prices[2] + run.prices[2] * move_bps / 10_000).max(1);
                w.set_secondary_price(2, run.second).await;
            }
            None
        }
        Action::Tighten { m, init_weight_bps } => {
            let mut c = w.market(m).await.config;
            c.weights.init_asset_weight_bps = init_weight_bps.min(c.weights.init_asset_weight_bps);
            let admin = w.admin.insecure_clone();
            let ix = keel_sdk::instructions::tighten_market(
                solana_sdk::signature::Signer::pubkey(&admin),
                w.pool,
                w.markets[m].keys.market,
                c,
            );
            Some(w.send_as(&admin, &[ix]).await.map(|_| ()))
        }
        Action::Loosen { m, init_weight_bps } => {
            let mut config = w.market(m).await.config;
            config.weights.init_asset_weight_bps =
                init_weight_bps.min(config.weights.maint_asset_weight_bps);
            let kind = keel::state::ChangeKind::MarketConfig {
                market: w.markets[m].keys.market,
                config,
            };
            match w.queue(kind).await {
                Ok(change) => {
                    // after a hand-over the pool has a timelock (stateful/handover.rs)
                    super::handover::wait_out_timelock(w, (run.prices, run.second)).await;
                    let admin = w.admin.insecure_clone();
                    Some(w.execute(&admin, change, Some(m)).await.map(|_| ()))
                }
                Err(e) => Some(Err(e)),
            }
        }
        Action::Accrue { m } => Some(w.accrue(m).await.map(|_| ())),
        Action::Delegate {
            t,
            by,
            m,
            whole,
            act,
            borrow,
            to_self,
            clear,
        } => {
            delegate::delegate(
                w,
                &run.traders,
                (t, by, m, whole),
                (act, borrow, to_self, clear),
            )
            .await?
        }
        Action::Order {
            t,
            by,
            id,
            repay,
            seize,
            hf_bps,
            whole,
            op,
        } => {
            orders::order(
                w,
                (&run.traders, &run.liquidator),
                (t, by, id),
                (repay, seize, hf_bps, whole),
                op,
            )
            .await?
        }
        Action::Flash { t, m, whole, shape } => {
            flash::flash(w, (&run.traders, &run.liquidator), t, m, whole, shape).await?
        }
        Action::RoundTrip { t, m, whole, times } => {
            round_trips(w, &run.traders[t], m, amount(m, whole), times).await?
        }
        Action::Dust { t, m } => Some(w.deposit(&run.traders[t], m, 1).await.map(|_| ())),
        Action::Stale { m, secs } => {
            w.env.warp(secs).await;
            for (i, p) in run.prices.iter().enumerate() {
                if i != m {
                    w.set_price(i, *p).await;
                }
            }
            // the second source keeps publishing: a stale Pyth on market 2 falls back to it
            w.set_secondary_price(2, run.second).await;
            None
        }
        Action::Replay { m } => replay(w, m, (run.prices, run.second)).await?,
        Action::Handover { m } => super::handover::handover(w, m, (run.prices, run.second)).await?,
        Action::Provision { t, m, donor } => {
            let who = (&run.traders[t], &run.liquidator);
            super::handover::provision(w, who, (m, donor)).await
        }
        Action::ClosedFeed { m } => {
            let key = w.markets[m].price_account;
            let system = solana_sdk::pubkey::Pubkey::default();
            w.env.set_account(
                &key,
                &solana_sdk::account::AccountSharedData::new(1, 0, &system),
            );
            // every market whose feed is closed now (this one and any earlier, not yet rewritten)
            let mut closed = vec![];
            for i in 0..w.markets.len() {
                let account = w.env.account(w.markets[i].price_account).await;
                if account.is_none_or(|a| a.owner != pyth_solana_receiver_sdk::ID) {
                    closed.push(w.markets[i].keys.market);
                }
            }
            for t in &run.traders {
                let account = w.margin(t.margin).await;
                let owes_there = account
                    .active()
                    .iter()
                    .any(|p| closed.contains(&p.market) && p.borrow_shares > 0);
                if !owes_there && w.health(t.margin).await.is_err() {
                    return Err(format!(
                        "a closed feed (market {m}) stopped pricing {} (no debt where feeds are closed)",
                        t.margin
                    ));
                }
            }
            None
        }
        Action::CutMaint {
            m,
            maint_weight_bps,
        } => {
            let mut c = w.market(m).await.config;
            c.weights.maint_asset_weight_bps =
                maint_weight_bps.min(c.weights.maint_asset_weight_bps);
            c.weights.init_asset_weight_bps = c
                .weights
                .init_asset_weight_bps
                .min(c.weights.maint_asset_weight_bps);
            let guardian = w.guardian.insecure_clone();
            let ix = keel_sdk::instructions::tighten_market(
                guardian.pubkey(),
                w.pool,
                w.markets[m].keys.market,
                c,
            );
            Some(w.send_as(&guardian, &[ix]).await.map(|_| ()))
        }
        Action::LiquidateIntoDeposit => {
            let mut target = None;
            for trader in run.traders.iter() {
                if w.health(trader.margin).await.is_ok_and(|h| h.liquidatable) {
                    target = Some(trader.margin);
                    break;
                }
            }
            match target {
                None => None,
                Some(margin) => match pick_pair(w, margin, &run.prices).await {
                    None => None,
                    Some((repay, seize)) => {
                        let into = Some(run.liquidator.margin);
                        let ix = w
                            .liquidate_ix_with(
                                &run.liquidator,
                                margin,
                                repay,
                                seize,
                                u64::MAX,
                                into,
                            )
                            .await;
                        Some(w.send_as(&run.liquidator.key, &[ix]).await.map(|_| ()))
                    }
                },
            }
        }
        Action::Sweep => {
            for t in 0..TRADERS {
                for _ in 0..5 {
                    if !w
                        .health(run.traders[t].margin)
                        .await
                        .is_ok_and(|h| h.liquidatable)
                    {
                        break;
                    }
                    let Some((repay, seize)) =
                        pick_pair(w, run.traders[t].margin, &run.prices).await
                    else {
                        break;
                    };
                    let before = w.health(run.traders[t].margin).await.unwrap();
                    let r = w
                        .liquidate(
                            &run.liquidator,
                            run.traders[t].margin,
                            repay,
                            seize,
                            u64::MAX,
                        )
                        .await;
                    tally(action, r.is_ok());
                    match r {
                        Ok(_) => {
                            let after = w.health(run.traders[t].margin).await.unwrap();
                            if margin_gap(&after) <= margin_gap(&before) {
                                return Err(format!(
                                    "sweep: liquidation lowered health: {before:?} -> {after:?}"
                                ));
                            }
                        }
                        Err(e) if is_bug(&e) => {
                            return Err(format!("sweep: liquidation failed with {e:?}"))
                        }
                        Err(_) => break,
                    }
                }
            }
            None
        }
    };
    tally(action, !matches!(result, Some(Err(_))));
    if let Some(Err(e)) = &result {
        if is_bug(e) {
            return Err(format!("{action:?} failed with {e:?}"));
        }
    }
    check(w).await;
    check_governance(run, action).await
}
