//! Stateful property test on the real runtime: random sequences of real transactions (deposit,
//! withdraw, borrow, repay, liquidate, price moves, clock warps, parameter changes) over four
//! traders and three markets, with the design guide's six invariants checked after every step:
//! 1, 2, 4 and the accounts' shape by `invariants::check`; 3 after every round trip (deposit then
//! withdraw never returns more); 5 after every successful borrow or withdraw; 6 by comparing every
//! market's configuration with the last step's (a loosening only by an executed queued change; a
//! maintenance weight never tightens faster than its ramp).
//! Market 2 has a Switchboard second source that agrees, diverges or goes stale at random.
//! Flash loans are fuzzed too, honest and malformed (stateful/flash.rs), delegates
//! (stateful/delegate.rs) and deleverage orders (stateful/orders.rs). Markets 0 and 2 share an
//! e-mode group, so borrows, liquidations and orders run in and out of it.
//! Besides honest users it plays the audit's exploit moves: deposit/withdraw round-trip loops
//! against an outflow limit, dust positions in a new market, stale feeds, matured changes replayed
//! after a later tightening (must be refused), maintenance-weight cuts, liquidations taken as a
//! deposit. Actions may be refused, as users' would be; what must never happen is an invariant
//! broken, a panic, or one of the errors that mean the program contradicted itself (overflow on
//! sane amounts, a liquidation plan failing its own post-conditions).
//!
//! Cases: `KEEL_FUZZ_CASES` (default 1,000, each up to 24 steps), run as four tests of a quarter
//! each so both cores work; failing cases shrink to a minimal sequence and are kept by proptest
//! under `proptest-regressions/` as regression cases.
//! `KEEL_FUZZ_STATS=1` prints how many of each action succeeded or were refused, to show the run
//! reaches deep states (near-limit borrows, liquidations), not just refusals.
mod delegate;
mod flash;
mod orders;

use crate::common::*;
use flash::FlashShape;
use keel::errors::KeelError;
use keel::governance::classify::is_tightening;
use keel::math::health::RiskWeights;
use keel::state::{ChangeKind, MarketConfig};
use keel_tests::env::custom_error;
use keel_tests::invariants::{assert_initial_health, check};
use keel_tests::tokens::{balance, spl_token, token_2022};
use keel_tests::world::USD;
use keel_tests::{MarketSpec, Trader, World};
use orders::OrderOp;
use proptest::prelude::*;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

const TRADERS: usize = 4;
const MARKETS: usize = 3;
/// Starting prices (mantissa at exponent -8): SOL-like, USDC-like, ETH-like (Token-2022).
const START: [i64; MARKETS] = [100 * USD, USD, 2_000 * USD];
const DECIMALS: [u8; MARKETS] = [9, 6, 8];

#[derive(Clone, Debug)]
enum Action {
    Deposit {
        t: usize,
        m: usize,
        whole: u64,
    },
    Withdraw {
        t: usize,
        m: usize,
        whole: u64,
        all: bool,
    },
    Borrow {
        t: usize,
        m: usize,
        whole: u64,
    },
    /// Borrow `frac_bps` of the account's remaining initial headroom (drives accounts to the edge).
    BorrowMax {
        t: usize,
        m: usize,
        frac_bps: u64,
    },
    Repay {
        payer: usize,
        t: usize,
        m: usize,
        whole: u64,
        all: bool,
    },
    /// `smart`: pick the largest debt and the largest collateral, as a bot would; else the given pair.
    Liquidate {
        t: usize,
        repay: usize,
        seize: usize,
        smart: bool,
    },
    Price {
        m: usize,
        move_bps: i64,
    },
    /// A bot's pass: liquidate every liquidatable account until healthy (or nothing more to do).
    Sweep,
    Warp {
        secs: i64,
    },
    Tighten {
        m: usize,
        init_weight_bps: u16,
    },
    /// A loosening through the queue (the pool's delay is zero here): raise the initial weight.
    Loosen {
        m: usize,
        init_weight_bps: u16,
    },
    Accrue {
        m: usize,
    },
    /// Deposit then withdraw everything, `times` times (the outflow-limit griefing loop).
    RoundTrip {
        t: usize,
        m: usize,
        whole: u64,
        times: u8,
    },
    /// One base unit into market `m` (a dust position).
    Dust {
        t: usize,
        m: usize,
    },
    /// Time passes and every feed publishes but market `m`'s (it goes stale).
    Stale {
        m: usize,
        secs: i64,
    },
    /// Queue a loosening of market `m`, tighten it before execution, then replay the matured
    /// change: it must be refused.
    Replay {
        m: usize,
    },
    /// The guardian cuts market `m`'s maintenance collateral weight (it ramps).
    CutMaint {
        m: usize,
        maint_weight_bps: u16,
    },
    /// A bot-like liquidation that takes the seizure as a deposit in the liquidator's account.
    LiquidateIntoDeposit,
    /// Market 2's second source (a Switchboard feed) moves `move_bps` away from its Pyth price
    /// (agreeing within the bound, diverging past it); or, with `stale_secs` > 0, time passes
    /// and every feed but it publishes.
    Second {
        move_bps: i64,
        stale_secs: i64,
    },
    /// Trader `t` names (or clears) trader `by` as its delegate, or `by` borrows or withdraws on
    /// `t`'s account (stateful/delegate.rs).
    Delegate {
        t: usize,
        by: usize,
        m: usize,
        whole: u64,
        act: bool,
        borrow: bool,
        to_self: bool,
        clear: bool,
    },
    /// Order `id` on trader `t`'s account posted, cancelled or executed (stateful/orders.rs).
    Order {
        t: usize,
        by: usize,
        id: u8,
        repay: usize,
        seize: usize,
        hf_bps: u32,
        whole: u64,
        op: OrderOp,
    },
    /// A flash loan of `whole` units of market `m` by trader `t`, honest or malformed
    /// (stateful/flash.rs).
    Flash {
        t: usize,
        m: usize,
        whole: u64,
        shape: FlashShape,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let t = 0..TRADERS;
    let m = 0..MARKETS;
    prop_oneof![
        3 => (t.clone(), m.clone(), 1u64..500).prop_map(|(t, m, whole)| Action::Deposit { t, m, whole }),
        2 => (t.clone(), m.clone(), 1u64..300, any::<bool>()).prop_map(|(t, m, whole, all)| Action::Withdraw { t, m, whole, all }),
        3 => (t.clone(), m.clone(), 1u64..300).prop_map(|(t, m, whole)| Action::Borrow { t, m, whole }),
        2 => (t.clone(), t.clone(), m.clone(), 1u64..300, any::<bool>()).prop_map(|(payer, t, m, whole, all)| Action::Repay { payer, t, m, whole, all }),
        3 => (t.clone(), m.clone(), 5_000u64..9_950).prop_map(|(t, m, frac_bps)| Action::BorrowMax { t, m, frac_bps }),
        3 => (t.clone(), m.clone(), m.clone(), proptest::bool::weighted(0.8)).prop_map(|(t, repay, seize, smart)| Action::Liquidate { t, repay, seize, smart }),
        3 => (m.clone(), -4_000i64..3_000).prop_map(|(m, move_bps)| Action::Price { m, move_bps }),
        1 => (1i64..30 * 86_400).prop_map(|secs| Action::Warp { secs }),
        1 => (m.clone(), 1_000u16..8_000).prop_map(|(m, init_weight_bps)| Action::Tighten { m, init_weight_bps }),
        1 => (m.clone(), 1_000u16..8_500).prop_map(|(m, init_weight_bps)| Action::Loosen { m, init_weight_bps }),
        1 => m.clone().prop_map(|m| Action::Accrue { m }),
        3 => Just(Action::Sweep),
        1 => (t.clone(), m.clone(), 1u64..300, 1u8..4).prop_map(|(t, m, whole, times)| Action::RoundTrip { t, m, whole, times }),
        1 => (t.clone(), m.clone()).prop_map(|(t, m)| Action::Dust { t, m }),
        1 => (m.clone(), 61i64..600).prop_map(|(m, secs)| Action::Stale { m, secs }),
        1 => m.clone().prop_map(|m| Action::Replay { m }),
        1 => (m.clone(), 1u16..8_500).prop_map(|(m, maint_weight_bps)| Action::CutMaint { m, maint_weight_bps }),
        1 => Just(Action::LiquidateIntoDeposit),
        2 => (-1_500i64..1_500, prop_oneof![Just(0i64), 61i64..300]).prop_map(|(move_bps, stale_secs)| Action::Second { move_bps, stale_secs }),
        3 => (t.clone(), m.clone(), 1u64..500, proptest::sample::select(&FlashShape::ALL[..])).prop_map(|(t, m, whole, shape)| Action::Flash { t, m, whole, shape }),
        2 => (t.clone(), t.clone(), m.clone(), 1u64..200, any::<bool>(), any::<bool>(), any::<bool>(), proptest::bool::weighted(0.2)).prop_map(|(t, by, m, whole, act, borrow, to_self, clear)| Action::Delegate { t, by, m, whole, act, borrow, to_self, clear }),
        4 => ((t.clone(), 0..2 * TRADERS, 0u8..3), (m.clone(), m.clone(), 10_001u32..=30_000, 1u64..300), proptest::sample::select(&[OrderOp::Post, OrderOp::Post, OrderOp::Cancel, OrderOp::Execute, OrderOp::Execute][..])).prop_map(|((t, by, id), (repay, seize, hf_bps, whole), op)| Action::Order { t, by, id, repay, seize, hf_bps, whole, op }),
    ]
}

/// Amount of `whole` tokens of market `m`, scaled so each market moves a similar dollar value.
fn amount(m: usize, whole: u64) -> u64 {
    let unit = 10u64.pow(DECIMALS[m] as u32);
    match m {
        0 => whole * unit / 10,  // 0.1 SOL steps ($10)
        1 => whole * unit * 10,  // 10 USDC steps
        _ => whole * unit / 200, // 0.005 ETH steps ($10)
    }
}

/// Errors that mean the program contradicted itself rather than refused a user.
fn is_bug(err: &TransactionError) -> bool {
    let bugs = [
        KeelError::MathOverflow,
        KeelError::DivisionByZero,
        KeelError::HealthNotImproved,
        KeelError::OverLiquidation,
        KeelError::SeizeExceedsBound,
    ];
    match custom_error(err) {
        Some(code) => bugs.iter().any(|b| u32::from(*b) == code),
        None => !matches!(err, TransactionError::InstructionError(_, _)),
    }
}

/// The (repay, seize) market pair a bot would pick: the largest debt and the largest deposit.
async fn pick_pair(
    w: &mut World,
    margin: anchor_lang::prelude::Pubkey,
    prices: &[i64; MARKETS],
) -> Option<(usize, usize)> {
    let account = w.margin(margin).await;
    let mut best_debt = (0f64, None);
    let mut best_coll = (0f64, None);
    for p in account.active() {
        let m = w.market_index(&p.market)?;
        let scale = prices[m] as f64 / 10f64.powi(DECIMALS[m] as i32);
        let (d, c) = (
            p.borrow_shares as f64 * scale,
            p.deposit_shares as f64 * scale,
        );
        if d > best_debt.0 {
            best_debt = (d, Some(m));
        }
        if c > best_coll.0 {
            best_coll = (c, Some(m));
        }
    }
    Some((best_debt.1?, best_coll.1?))
}

struct Run {
    w: World,
    traders: Vec<Trader>,
    liquidator: Trader,
    prices: [i64; MARKETS],
    /// Market 2's second-source price.
    second: i64,
    /// Per market, as of the last step: its configuration, its weights in force, and when.
    configs: Vec<(MarketConfig, RiskWeights, i64)>,
}

/// The USDC market's outflow limit in the fuzzed world (round trips run against it).
const USDC_OUTFLOW_LIMIT: u64 = 200_000 * USDC;

async fn setup() -> Run {
    let mut w = World::new(&[
        MarketSpec {
            token_program: spl_token(),
            decimals: DECIMALS[0],
            price: START[0],
        },
        MarketSpec {
            token_program: spl_token(),
            decimals: DECIMALS[1],
            price: START[1],
        },
        MarketSpec {
            token_program: token_2022(),
            decimals: DECIMALS[2],
            price: START[2],
        },
    ])
    .await;
    // market 2 is priced by two sources: the rules of oracle/rules.rs are fuzzed too
    w.add_secondary(2, START[2], &START).await.unwrap();
    // markets 0 and 2 form an e-mode group (math/emode.rs), listed through the timelock
    for m in [0, 2] {
        let mut config = w.market(m).await.config;
        config.emode = keel::math::emode::EmodeConfig {
            group: 1,
            init_asset_weight_bps: 8_500,
            maint_asset_weight_bps: 8_800,
        };
        let market = w.markets[m].keys.market;
        let change = w
            .queue(ChangeKind::MarketConfig { market, config })
            .await
            .unwrap();
        let payer = w.env.payer();
        w.execute(&payer, change, Some(m)).await.unwrap();
    }
    let funding = [10_000 * SOL, 1_000_000 * USDC, 500 * 100_000_000];
    let mut traders = vec![];
    for _ in 0..TRADERS {
        traders.push(w.trader(&funding).await);
    }
    // seed liquidity so borrows have something to draw on
    for (m, t) in traders.iter().enumerate().take(MARKETS) {
        w.deposit(t, m, funding[m] / 10).await.unwrap();
    }
    let liquidator = w.trader(&funding).await;
    let mut limited = w.market(1).await.config;
    limited.outflow.max_outflow = USDC_OUTFLOW_LIMIT;
    let guardian = w.guardian.insecure_clone();
    let ix = keel_sdk::instructions::tighten_market(
        guardian.pubkey(),
        w.pool,
        w.markets[1].keys.market,
        limited,
    );
    w.send_as(&guardian, &[ix]).await.unwrap();
    let configs = market_configs(&mut w).await;
    Run {
        w,
        traders,
        liquidator,
        prices: START,
        second: START[2],
        configs,
    }
}

/// Every market's configuration, weights in force and the time.
async fn market_configs(w: &mut World) -> Vec<(MarketConfig, RiskWeights, i64)> {
    let now = w.env.now().await;
    let mut out = vec![];
    for m in 0..MARKETS {
        let market = w.market(m).await;
        out.push((market.config, market.weights_at(now), now));
    }
    out
}

/// Invariant 6 and the maintenance ramp: since the last step, a market's configuration loosened
/// only if this step executed a queued change, and its maintenance weights in force moved toward
/// risk no faster than the ramp allows (the full range over `MAINT_WEIGHT_RAMP_SECS`).
async fn check_governance(run: &mut Run, action: &Action) -> Result<(), String> {
    let now_configs = market_configs(&mut run.w).await;
    let ramp = keel::constants::MAINT_WEIGHT_RAMP_SECS as i128;
    for (m, ((old, old_w, t0), (new, new_w, t1))) in
        run.configs.iter().zip(now_configs.iter()).enumerate()
    {
        let executed = matches!(action, Action::Loosen { .. });
        if !executed && !is_tightening(old, new) {
            return Err(format!(
                "market {m} loosened without an executed change ({action:?}): {old:?} -> {new:?}"
            ));
        }
        let dt = (t1 - t0).max(0) as i128;
        let asset_drop =
            old_w.maint_asset_weight_bps as i128 - new_w.maint_asset_weight_bps as i128;
        let liab_rise = new_w.maint_liab_weight_bps as i128 - old_w.maint_liab_weight_bps as i128;
        if asset_drop > (dt * 10_000 + ramp - 1) / ramp + 1
            || liab_rise > (dt * 40_000 + ramp - 1) / ramp + 1
        {
            return Err(format!(
                "market {m}: maintenance weights moved faster than the ramp over {dt} s: {old_w:?} -> {new_w:?}"
            ));
        }
    }
    run.configs = now_configs;
    Ok(())
}

/// Per action kind: (succeeded, refused), over the whole run (printed with `KEEL_FUZZ_STATS`).
static STATS: std::sync::Mutex<std::collections::BTreeMap<&'static str, (u64, u64)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn tally(action: &Action, ok: bool) {
    let name = match action {
        Action::Deposit { .. } => "deposit",
        Action::Withdraw { .. } => "withdraw",
        Action::Borrow { .. } => "borrow",
        Action::Repay { .. } => "repay",
        Action::Liquidate { .. } => "liquidate",
        Action::BorrowMax { .. } => "borrow_max",
        Action::Price { .. } => "price",
        Action::Warp { .. } => "warp",
        Action::Tighten { .. } => "tighten",
        Action::Loosen { .. } => "loosen_queued",
        Action::Accrue { .. } => "accrue",
        Action::Sweep => "sweep_liquidation",
        Action::RoundTrip { .. } => "round_trip",
        Action::Dust { .. } => "dust_position",
        Action::Stale { .. } => "stale_feed",
        Action::Replay { .. } => "matured_change_replay",
        Action::CutMaint { .. } => "cut_maintenance_weight",
        Action::LiquidateIntoDeposit => "liquidate_into_deposit",
        Action::Second { stale_secs: 0, .. } => "second_source_moves",
        Action::Second { .. } => "second_source_stale",
        Action::Flash { shape, .. } => shape.name(),
        Action::Delegate { act: false, .. } => "delegate_set",
        Action::Delegate { to_self: true, .. } => "delegate_pays_itself",
        Action::Delegate { .. } => "delegate_acts",
        Action::Order {
            op: OrderOp::Post, ..
        } => "order_post",
        Action::Order {
            op: OrderOp::Cancel,
            ..
        } => "order_cancel",
        Action::Order {
            op: OrderOp::Execute,
            ..
        } => "order_execute",
    };
    let mut stats = STATS.lock().unwrap();
    let e = stats.entry(name).or_default();
    if ok {
        e.0 += 1;
    } else {
        e.1 += 1;
    }
}

async fn step(run: &mut Run, action: &Action) -> Result<(), String> {
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
        Action::Replay { m } => replay(w, m).await?,
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

/// Deposit `amount` then withdraw it, `times` times: invariant 3 (never more out than in, no
/// shares gained), and the outflow limit never refuses the withdrawal of a round trip.
async fn round_trips(
    w: &mut World,
    t: &Trader,
    m: usize,
    amount: u64,
    times: u8,
) -> Result<Option<Result<(), TransactionError>>, String> {
    for _ in 0..times {
        let tokens = balance(&mut w.env, t.tokens[m]).await;
        let shares = position_shares(w, t, m).await;
        if let Err(e) = w.deposit(t, m, amount).await {
            return Ok(Some(Err(e)));
        }
        match w.withdraw(t, m, amount).await {
            Ok(_) => {}
            Err(e) if custom_error(&e) == Some(u32::from(KeelError::OutflowLimitExceeded)) => {
                return Err(format!(
                    "a round trip of {amount} in market {m} hit the outflow limit"
                ));
            }
            Err(e) => return Ok(Some(Err(e))),
        }
        let (tokens_after, shares_after) = (
            balance(&mut w.env, t.tokens[m]).await,
            position_shares(w, t, m).await,
        );
        if tokens_after > tokens || shares_after > shares {
            return Err(format!(
                "round trip profited: tokens {tokens} -> {tokens_after}, shares {shares} -> {shares_after}"
            ));
        }
    }
    Ok(Some(Ok(())))
}

async fn position_shares(w: &mut World, t: &Trader, m: usize) -> u64 {
    let account = w.margin(t.margin).await;
    let market = w.markets[m].keys.market;
    account
        .find(&market)
        .map(|i| account.positions[i].deposit_shares)
        .unwrap_or(0)
}

/// Queue a loosening of market `m`, tighten it, then execute the matured change: it must be
/// refused (it was queued against a state that no longer stands).
async fn replay(w: &mut World, m: usize) -> Result<Option<Result<(), TransactionError>>, String> {
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
    let mut tighter = w.market(m).await.config;
    tighter.deposit_cap = tighter.deposit_cap.saturating_sub(1);
    let guardian = w.guardian.insecure_clone();
    let ix = keel_sdk::instructions::tighten_market(guardian.pubkey(), w.pool, market, tighter);
    if let Err(e) = w.send_as(&guardian, &[ix]).await {
        return Ok(Some(Err(e)));
    }
    let admin = w.admin.insecure_clone();
    match w.execute(&admin, change, Some(m)).await {
        Ok(_) => Err(format!(
            "a matured change overwrote a later tightening of market {m}"
        )),
        Err(e) if custom_error(&e) == Some(u32::from(KeelError::ChangeBaseChanged)) => {
            let cancel = keel_sdk::instructions::cancel_change(
                admin.pubkey(),
                w.pool,
                change,
                w.env.payer().pubkey(),
            );
            Ok(Some(w.send_as(&admin, &[cancel]).await.map(|_| ())))
        }
        Err(e) => Err(format!(
            "the replayed change failed with {e:?}, not ChangeBaseChanged"
        )),
    }
}

/// `C_maint - D_maint`: what a liquidation must raise.
fn margin_gap(h: &keel::state::HealthReport) -> i128 {
    h.collateral_maint.0 as i128 - h.debt_maint.0 as i128
}

fn cases() -> u32 {
    std::env::var("KEEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// Run one random sequence from a fresh world.
fn run_sequence(actions: &[Action]) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = rt.block_on(async {
        let mut run = setup().await;
        for a in actions {
            step(&mut run, a).await?;
        }
        Ok::<(), String>(())
    });
    if std::env::var("KEEL_FUZZ_STATS").is_ok() {
        println!(
            "FIGURE fuzz (succeeded, refused) so far: {:?}",
            STATS.lock().unwrap()
        );
    }
    outcome
}

// `KEEL_FUZZ_CASES` sequences in all, a quarter in each test, so the test threads share them.
proptest! {
    #![proptest_config(ProptestConfig { cases: cases().div_ceil(4), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_books_1(actions in proptest::collection::vec(action(), 1..24)) {
        let outcome = run_sequence(&actions);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }

    #[test]
    fn random_sequences_keep_the_books_2(actions in proptest::collection::vec(action(), 1..24)) {
        let outcome = run_sequence(&actions);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }

    #[test]
    fn random_sequences_keep_the_books_3(actions in proptest::collection::vec(action(), 1..24)) {
        let outcome = run_sequence(&actions);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }

    #[test]
    fn random_sequences_keep_the_books_4(actions in proptest::collection::vec(action(), 1..24)) {
        let outcome = run_sequence(&actions);
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}

/// The sequence the fuzzer must be able to reach: borrow near the limit, collateral falls,
/// a bot-like liquidation succeeds (and the books hold).
#[tokio::test]
async fn fuzz_actions_reach_liquidation() {
    let mut run = setup().await;
    let seq = [
        Action::BorrowMax {
            t: 0,
            m: 1,
            frac_bps: 9_900,
        },
        Action::Price {
            m: 0,
            move_bps: -3_000,
        },
    ];
    for a in &seq {
        step(&mut run, a).await.unwrap();
    }
    let margin = run.traders[0].margin;
    let report = run.w.health(margin).await.unwrap();
    assert!(report.liquidatable, "{report:?}");
    let before = keel_tests::tokens::balance(&mut run.w.env, run.liquidator.tokens[0]).await;
    step(
        &mut run,
        &Action::Liquidate {
            t: 3,
            repay: 2,
            seize: 2,
            smart: true,
        },
    )
    .await
    .unwrap();
    let after = keel_tests::tokens::balance(&mut run.w.env, run.liquidator.tokens[0]).await;
    assert!(after > before, "the smart liquidation seized collateral");
}
