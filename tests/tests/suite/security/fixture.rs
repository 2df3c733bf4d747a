//! The matrix's fixture: a pool with every kind of account (two traders, a liquidatable victim,
//! an empty account, a second pool, a queued change, a pending admin, orders) and a valid
//! instance of every instruction.
use super::*;
use keel::state::DelegatePower;

/// A fixture with every kind of account, and a valid instance of every instruction.
pub(super) struct Fixture {
    pub(super) w: World,
    pub(super) keys: BTreeMap<Pubkey, Keypair>,
    pub(super) kinds: BTreeMap<Pubkey, Kind>,
    pub(super) siblings: BTreeMap<Pubkey, Pubkey>,
    pub(super) cases: Vec<(&'static str, Instruction)>,
    /// The instructions a case's target sits between (a flash loan's other half).
    pub(super) around: super::keeper_cases::Around,
}

async fn kind_of(w: &mut World, key: Pubkey) -> Kind {
    let Some(acc) = w.env.account(key).await else {
        return Kind::Other;
    };
    if acc.executable {
        return Kind::Program;
    }
    if acc.owner == keel::ID {
        let d = &acc.data[..8];
        return if d == Pool::DISCRIMINATOR {
            Kind::Pool
        } else if d == Market::DISCRIMINATOR {
            Kind::Market
        } else if d == MarginAccount::DISCRIMINATOR {
            Kind::Margin
        } else if d == PendingChange::DISCRIMINATOR {
            Kind::Change
        } else if d == DeleverageOrder::DISCRIMINATOR {
            Kind::Order
        } else {
            Kind::Other
        };
    }
    if acc.owner == pyth_solana_receiver_sdk::ID {
        return Kind::Price;
    }
    if acc.owner == spl_token() || acc.owner == keel_tests::tokens::token_2022() {
        if acc.data.len() == 82 {
            return Kind::Mint;
        }
        return Kind::Token;
    }
    Kind::Other
}

pub(super) async fn fixture() -> Fixture {
    let mut w = sol_usdc().await;
    // a third market, for an account with debt left after its collateral went (keeper_cases.rs)
    let third = keel_tests::MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    w.list_market(&third, MintExtension::None, |_| {})
        .await
        .unwrap();
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let victim = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&victim, 0, 10 * SOL).await.unwrap();
    w.borrow(&victim, 1, 790 * USDC).await.unwrap();
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let empty = w.trader(&[0, 0]).await;
    let authority = w.mint_authority.insecure_clone();
    let sol = w.markets[0].keys;
    mint_to(
        &mut w.env,
        sol.token_program,
        &sol.mint,
        &authority,
        &trader.tokens[0],
        5 * SOL,
    )
    .await;
    // pool B, with the same SOL mint listed: its market and vault are the "other pool's"
    let payer = w.env.payer();
    let admin_b = Keypair::new();
    let init_b = kix::init_pool(
        payer.pubkey(),
        9,
        admin_b.pubkey(),
        Pubkey::new_unique(),
        0,
        default_liquidation(),
    );
    w.env.send(&[init_b], &[]).await.unwrap();
    let pool_b = pda::pool(&payer.pubkey(), 9);
    let sol_b = MarketKeys::new(&pool_b, sol.mint, spl_token());
    let add_b = kix::add_market(
        admin_b.pubkey(),
        payer.pubkey(),
        pool_b,
        &sol_b,
        default_config(w.markets[0].feed_id),
    );
    w.env.send(&[add_b], &[&admin_b]).await.unwrap();
    let queue_b = kix::queue_change(
        admin_b.pubkey(),
        payer.pubkey(),
        pool_b,
        0,
        ChangeKind::UnpauseBorrowing,
    );
    w.env.send(&[queue_b], &[&admin_b]).await.unwrap();
    let change_b = pda::pending_change(&pool_b, 0);
    // a queued change, a pending admin, a fresh mint to list
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    let next_admin = Keypair::new();
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Admin,
        Some(next_admin.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    let new_mint = create_mint(
        &mut w.env,
        spl_token(),
        6,
        &authority.pubkey(),
        MintExtension::None,
    )
    .await;
    // orders on the trader's account: 1 to cancel, 2 a stop-loss (SOL <= $95) to execute; one
    // on the victim's, their sibling in another relation
    let stop = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: sol.market,
            price: keel::math::fixed::Wad::from_int(95),
        },
        max_repay: 50 * USDC,
        min_bonus_bps: 100,
        max_bonus_bps: 100,
        expires_at: 0,
    };
    let usdc_market = w.markets[1].keys.market;
    for id in [1u8, 2] {
        let ix = kix::post_order(
            (trader.key.pubkey(), payer.pubkey()),
            trader.margin,
            (usdc_market, sol.market),
            id,
            stop,
        );
        w.send_as(&trader.key, &[ix]).await.unwrap();
    }
    let ix = kix::post_order(
        (victim.key.pubkey(), payer.pubkey()),
        victim.margin,
        (usdc_market, sol.market),
        1,
        stop,
    );
    w.send_as(&victim.key, &[ix]).await.unwrap();
    let (order_1, order_2) = (pda::order(&trader.margin, 1), pda::order(&trader.margin, 2));
    let victims_order = pda::order(&victim.margin, 1);
    let trader_metas = w.health_metas(trader.margin, None).await;
    let (keeper_cases, around, bankrupt) =
        super::keeper_cases::keeper_cases(&mut w, &liq, (&trader, &trader_metas)).await;
    w.set_price(0, 92 * USD).await; // the victim is liquidatable; the trader is not

    let (pool, usdc) = (w.pool, w.markets[1].keys);
    let newcomer = Keypair::new();
    let victim_metas = w.health_metas(victim.margin, None).await;
    let mut tighter = w.market(1).await.config;
    tighter.borrow_cap /= 2;
    let next_id = w.pool_state().await.next_change_id;
    let liquidation = LiquidationKeys {
        liquidator: liq.key.pubkey(),
        margin_account: victim.margin,
        pool,
        repay: usdc,
        seize: sol,
        repay_source: liq.tokens[1],
        seize_destination: liq.tokens[0],
        deposit_into: None,
    };
    let mut cases = vec![
        (
            "set_delegate",
            kix::set_delegate(
                trader.key.pubkey(),
                trader.margin,
                newcomer.pubkey(),
                &DelegatePower::ALL,
            ),
        ),
        (
            "deposit",
            kix::deposit(
                trader.key.pubkey(),
                trader.margin,
                &sol,
                trader.tokens[0],
                SOL,
            ),
        ),
        (
            "withdraw",
            kix::withdraw(
                trader.key.pubkey(),
                trader.margin,
                &sol,
                trader.tokens[0],
                SOL / 10,
                &trader_metas,
            ),
        ),
        (
            "borrow",
            kix::borrow(
                trader.key.pubkey(),
                trader.margin,
                &usdc,
                trader.tokens[1],
                10 * USDC,
                &trader_metas,
            ),
        ),
        (
            "repay",
            kix::repay(
                trader.key.pubkey(),
                trader.margin,
                &usdc,
                trader.tokens[1],
                5 * USDC,
            ),
        ),
        (
            "open_account",
            kix::open_account(newcomer.pubkey(), payer.pubkey(), pool, 0),
        ),
        (
            "close_account",
            kix::close_account(empty.key.pubkey(), empty.margin),
        ),
        ("accrue", kix::accrue(usdc.market)),
        ("health", kix::health(trader.margin, &trader_metas)),
        (
            "liquidate",
            kix::liquidate(&liquidation, u64::MAX, &victim_metas),
        ),
        (
            "execute_change",
            kix::execute_change(liq.key.pubkey(), pool, change, payer.pubkey(), None),
        ),
        (
            "post_order",
            kix::post_order(
                (trader.key.pubkey(), payer.pubkey()),
                trader.margin,
                (usdc.market, sol.market),
                0,
                stop,
            ),
        ),
        (
            "cancel_order",
            kix::cancel_order(trader.key.pubkey(), trader.margin, order_1, payer.pubkey()),
        ),
        (
            "execute_order",
            kix::execute_order(
                &kix::ExecutionKeys {
                    executor: liq.key.pubkey(),
                    order: order_2,
                    margin_account: trader.margin,
                    payer: payer.pubkey(),
                    repay: usdc,
                    seize: sol,
                    repay_source: liq.tokens[1],
                    seize_destination: liq.tokens[0],
                },
                10 * USDC,
                &trader_metas,
            ),
        ),
        (
            "add_market",
            kix::add_market(
                admin.pubkey(),
                payer.pubkey(),
                pool,
                &MarketKeys::new(&pool, new_mint, spl_token()),
                default_config([7; 32]),
            ),
        ),
        (
            "tighten_market",
            kix::tighten_market(guardian.pubkey(), pool, usdc.market, tighter),
        ),
        (
            "queue_change",
            kix::queue_change(
                admin.pubkey(),
                payer.pubkey(),
                pool,
                next_id,
                ChangeKind::UnpauseBorrowing,
            ),
        ),
        (
            "cancel_change",
            kix::cancel_change(admin.pubkey(), pool, change, payer.pubkey()),
        ),
        ("pause", kix::pause(guardian.pubkey(), pool, true, true)),
        (
            "raise_timelock",
            kix::raise_timelock(admin.pubkey(), pool, 3_600),
        ),
        (
            "set_pending_authority",
            kix::set_pending_authority(
                admin.pubkey(),
                pool,
                Role::Guardian,
                Some(newcomer.pubkey()),
            ),
        ),
        (
            "accept_authority",
            kix::accept_authority(next_admin.pubkey(), pool, Role::Admin),
        ),
        (
            "init_pool",
            kix::init_pool(
                newcomer.pubkey(),
                3,
                newcomer.pubkey(),
                newcomer.pubkey(),
                0,
                default_liquidation(),
            ),
        ),
    ];
    cases.extend(keeper_cases);
    let mut keys = BTreeMap::new();
    for k in [
        &trader.key,
        &victim.key,
        &liq.key,
        &empty.key,
        &admin,
        &guardian,
        &next_admin,
        &newcomer,
        &payer,
    ] {
        keys.insert(k.pubkey(), k.insecure_clone());
    }
    // fund the newcomer (init_pool creator)
    let fund = solana_system_interface::instruction::transfer(
        &payer.pubkey(),
        &newcomer.pubkey(),
        1_000_000_000,
    );
    w.env.send(&[fund], &[]).await.unwrap();

    let mut kinds = BTreeMap::new();
    for (_, ix) in &cases {
        for m in &ix.accounts {
            let k = kind_of(&mut w, m.pubkey).await;
            kinds.insert(m.pubkey, k);
        }
    }
    // a same-type account in another relation, for each account that has one
    let mut siblings = BTreeMap::new();
    let pairs = [
        (sol.market, usdc.market),
        (pda::vault(&sol.market), pda::vault(&usdc.market)),
        (sol.mint, usdc.mint),
        (w.markets[0].price_account, w.markets[1].price_account),
        (pool, pool_b),
        (trader.margin, victim.margin),
        (victim.margin, trader.margin),
        (empty.margin, trader.margin),
        (change, change_b),
        (order_1, victims_order),
        (order_2, victims_order),
    ];
    for (a, b) in pairs {
        siblings.insert(a, b);
        siblings.entry(b).or_insert(a);
    }
    siblings.insert(usdc.market, sol_b.market); // another pool's market
                                                // keeper_cases.rs: the bankrupt account (no collateral) against one with collateral; the
                                                // third market against one the bankrupt owes nothing in; the keeper's third token
    siblings.insert(bankrupt, trader.margin);
    siblings.insert(w.markets[2].keys.market, sol.market);
    siblings.insert(liq.tokens[2], liq.tokens[0]);
    for t in [&trader, &victim, &liq, &empty] {
        siblings.insert(t.tokens[0], t.tokens[1]);
        siblings.insert(t.tokens[1], t.tokens[0]);
    }
    kinds.insert(pda::vault(&sol.market), Kind::Vault);
    kinds.insert(pda::vault(&usdc.market), Kind::Vault);
    Fixture {
        w,
        keys,
        kinds,
        siblings,
        cases,
        around,
    }
}
