//! The fuzzer's actions: what a step may do, how often (the strategy), and the tally of what
//! each did (`KEEL_FUZZ_STATS`).
use super::*;

#[derive(Clone, Debug)]
pub(super) enum Action {
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
    /// Market `m`'s pinned Pyth account is closed (its authority's doing, issue 26): until the
    /// next price write, every account without debt there must still be priced (its collateral
    /// there counts zero), so liquidations go on.
    ClosedFeed {
        m: usize,
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
    /// A hijacked admin queues a loosening of market `m`, proposes its guardian and hands the
    /// admin seat over (stateful/handover.rs).
    Handover {
        m: usize,
    },
    /// A keeper books trader `t`'s loss in market `m` and, if its fund is short, refills it from
    /// market `donor`'s (stateful/handover.rs).
    Provision {
        t: usize,
        m: usize,
        donor: usize,
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

pub(super) fn action() -> impl Strategy<Value = Action> {
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
        1 => m.clone().prop_map(|m| Action::ClosedFeed { m }),
        1 => m.clone().prop_map(|m| Action::Handover { m }),
        2 => (t.clone(), m.clone(), m.clone()).prop_map(|(t, m, donor)| Action::Provision { t, m, donor }),
        1 => (m.clone(), 1u16..8_500).prop_map(|(m, maint_weight_bps)| Action::CutMaint { m, maint_weight_bps }),
        1 => Just(Action::LiquidateIntoDeposit),
        2 => (-1_500i64..1_500, prop_oneof![Just(0i64), 61i64..300]).prop_map(|(move_bps, stale_secs)| Action::Second { move_bps, stale_secs }),
        3 => (t.clone(), m.clone(), 1u64..500, proptest::sample::select(&FlashShape::ALL[..])).prop_map(|(t, m, whole, shape)| Action::Flash { t, m, whole, shape }),
        2 => (t.clone(), t.clone(), m.clone(), 1u64..200, any::<bool>(), any::<bool>(), any::<bool>(), proptest::bool::weighted(0.2)).prop_map(|(t, by, m, whole, act, borrow, to_self, clear)| Action::Delegate { t, by, m, whole, act, borrow, to_self, clear }),
        4 => ((t.clone(), 0..2 * TRADERS, 0u8..3), (m.clone(), m.clone(), 10_001u32..=30_000, 1u64..300), proptest::sample::select(&[OrderOp::Post, OrderOp::Post, OrderOp::Cancel, OrderOp::Execute, OrderOp::Execute][..])).prop_map(|((t, by, id), (repay, seize, hf_bps, whole), op)| Action::Order { t, by, id, repay, seize, hf_bps, whole, op }),
    ]
}

/// Per action kind: (succeeded, refused), over the whole run (printed with `KEEL_FUZZ_STATS`).
pub(super) static STATS: std::sync::Mutex<std::collections::BTreeMap<&'static str, (u64, u64)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

pub(super) fn tally(action: &Action, ok: bool) {
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
        Action::ClosedFeed { .. } => "closed_feed",
        Action::Handover { .. } => "admin_handover_mid_queue",
        Action::Provision { .. } => "provision_and_rebalance",
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
