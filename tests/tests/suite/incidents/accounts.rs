//! Incidents of fake accounts and stolen authority.
use super::*;

/// Solend, August 2021: the attacker created a lending market he owned and passed it to the admin
/// instruction against a real reserve, to cut its liquidation threshold and raise the bonus. Keel
/// ties every market, change and margin account to its pool and the signer to that pool's admin or
/// guardian: each mix is refused (WrongPool, NotPoolAdmin, ...); an extra health pair is ignored.
#[tokio::test]
async fn solend_2021_look_alike_market_admin() {
    let mut w = sol_usdc().await;
    let (lender, victim) = funded(&mut w).await;
    w.borrow(&victim, 1, 790 * USDC).await.unwrap(); // healthy: HF 1.07
    let attacker = w.trader(&[10 * SOL, 1_000 * USDC]).await;
    w.deposit(&attacker, 0, 5 * SOL).await.unwrap();
    let att = attacker.key.insecure_clone();
    fund(&mut w.env, &att.pubkey(), 10 * SOL);
    let (pool, sol) = (w.pool, w.markets[0].keys);

    // his own pool, of which he is admin and guardian, listing the same SOL mint
    let init = kix::init_pool(
        att.pubkey(),
        0,
        att.pubkey(),
        att.pubkey(),
        0,
        default_liquidation(),
    );
    w.send_as(&att, &[init]).await.unwrap();
    let his_pool = pda::pool(&att.pubkey(), 0);
    let his_sol = MarketKeys::new(&his_pool, sol.mint, sol.token_program);
    let list = kix::add_market(
        att.pubkey(),
        att.pubkey(),
        his_pool,
        &his_sol,
        default_config(w.markets[0].feed_id),
    );
    w.send_as(&att, &[list]).await.unwrap();
    // what he wants on the real SOL market: liquidation at 50% and a 20% bonus
    let mut predatory = w.market(0).await.config;
    predatory.weights.init_asset_weight_bps = 4_900;
    predatory.weights.maint_asset_weight_bps = 5_000;
    let mut generous = predatory;
    generous.bonus.max_bonus_bps = 2_000;
    let on_real = ChangeKind::MarketConfig {
        market: sol.market,
        config: generous,
    };
    // his pool's queue is his to use: a change of his own market, due at once (no timelock)
    let on_his = ChangeKind::MarketConfig {
        market: his_sol.market,
        config: generous,
    };
    let queue = kix::queue_change(att.pubkey(), att.pubkey(), his_pool, 0, on_his);
    w.send_as(&att, &[queue]).await.unwrap();
    let his_change = pda::pending_change(&his_pool, 0);
    // the real admin's queued change, which he would like to cancel
    let real_change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();

    let mut keys = watched(&w, &[&lender, &victim, &attacker]);
    keys.push(real_change);
    let before = snapshot(&mut w, &keys).await;
    let payer = w.env.payer().pubkey();
    let next_id = w.pool_state().await.next_change_id;
    let refusals = [
        // his pool's authority over the real market and the real queue
        (
            kix::tighten_market(att.pubkey(), his_pool, sol.market, predatory),
            KeelError::WrongPool,
        ),
        (
            kix::queue_change(att.pubkey(), att.pubkey(), his_pool, 1, on_real),
            KeelError::WrongPool,
        ),
        (
            kix::execute_change(
                att.pubkey(),
                his_pool,
                his_change,
                att.pubkey(),
                Some(sol.market),
            ),
            KeelError::WrongPool,
        ),
        (
            kix::cancel_change(att.pubkey(), his_pool, real_change, payer),
            KeelError::WrongPool,
        ),
        // his change, or himself, under the real pool
        (
            kix::execute_change(
                att.pubkey(),
                pool,
                his_change,
                att.pubkey(),
                Some(sol.market),
            ),
            KeelError::WrongPool,
        ),
        (
            kix::tighten_market(att.pubkey(), pool, sol.market, predatory),
            KeelError::NotAdminOrGuardian,
        ),
        (
            kix::queue_change(att.pubkey(), att.pubkey(), pool, next_id, on_real),
            KeelError::NotPoolAdmin,
        ),
        (
            kix::pause(att.pubkey(), pool, true, true),
            KeelError::NotAdminOrGuardian,
        ),
        // his market as the deposit target of his real margin account
        (
            kix::deposit(
                att.pubkey(),
                attacker.margin,
                &his_sol,
                attacker.tokens[0],
                SOL,
            ),
            KeelError::WrongPool,
        ),
    ];
    for (ix, err) in refusals {
        assert_keel_error(w.send_as(&att, &[ix]).await, err);
    }
    // his market in place of the real one among a real borrow's health accounts
    let metas = swap_all(
        w.health_metas(attacker.margin, Some(1)).await,
        sol.market,
        his_sol.market,
    );
    assert_keel_error(
        w.borrow_with(&attacker, 1, 100 * USDC, &metas).await,
        KeelError::MissingPositionPair,
    );
    // ...or beside it: an extra pair is ignored, his market's terms count for nothing
    // (5 SOL back 399.2 USDC)
    let mut metas = w.health_metas(attacker.margin, Some(1)).await;
    metas.extend(kix::health_accounts(&[his_sol.market], |_| {
        kix::OracleAccounts {
            primary: w.markets[0].price_account,
            secondary: None,
        }
    }));
    assert_keel_error(
        w.borrow_with(&attacker, 1, 400 * USDC, &metas).await,
        KeelError::InitialHealthViolated,
    );
    // liquidating the real victim under his pool's terms, or seizing into his market
    let liquidate = w
        .liquidate_ix(&attacker, victim.margin, 1, 0, u64::MAX)
        .await;
    let under_his_pool = swap_first(liquidate.clone(), pool, his_pool);
    assert_keel_error(
        w.send_as(&att, &[under_his_pool]).await,
        KeelError::WrongPool,
    );
    let into_his_market = swap_first(
        swap_first(liquidate, sol.market, his_sol.market),
        pda::vault(&sol.market),
        pda::vault(&his_sol.market),
    );
    assert_keel_error(
        w.send_as(&att, &[into_his_market]).await,
        KeelError::WrongPool,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // the real market's terms are untouched: the victim is healthy, nobody may liquidate it
    assert_eq!(
        w.market(0).await.config,
        default_config(w.markets[0].feed_id)
    );
    assert_eq!(
        w.market(1).await.config,
        default_config(w.markets[1].feed_id)
    );
    assert_keel_error(
        w.liquidate(&attacker, victim.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    check(&mut w).await;
}

/// Cashio (March 2022) minted 2B CASH against a chain of fake accounts whose mint was never
/// checked; Crema (July 2022) read prices from a fake tick account whose owner was never checked.
/// Keel's accounts are owner- and type-checked, tied together by has_one and PDA seeds, and prices
/// are read only from accounts the Pyth receiver owns: every fake is refused and changes nothing.
#[tokio::test]
async fn cashio_and_crema_2022_fake_accounts() {
    let mut w = sol_usdc().await;
    let (lender, victim) = funded(&mut w).await;
    w.borrow(&victim, 1, 790 * USDC).await.unwrap(); // healthy: HF 1.07
    let attacker = w.trader(&[20 * SOL, 1_000 * USDC]).await;
    w.deposit(&attacker, 0, 10 * SOL).await.unwrap();
    w.borrow(&attacker, 1, 500 * USDC).await.unwrap();
    let att = attacker.key.insecure_clone();
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    let (sol_vault, sol_px) = (pda::vault(&sol.market), w.markets[0].price_account);

    // the fakes: byte-copies owned by another program, a token account posing as the vault,
    // price updates owned by a program that is not the Pyth receiver
    let fake_usdc_market = foreign_copy(&mut w, usdc.market).await;
    let fake_sol_market = foreign_copy(&mut w, sol.market).await;
    let fake_vault = foreign_copy(&mut w, sol_vault).await;
    let fake_victim = foreign_copy(&mut w, victim.margin).await;
    let own_vault =
        create_token_account(&mut w.env, sol.token_program, &sol.mint, &att.pubkey()).await;
    let not_pyth = Pubkey::new_unique();
    let inflated = PriceSpec {
        owner: not_pyth,
        ..w.price_spec(0, 10_000 * USD).await
    };
    let inflated = fake_price(&mut w, &inflated);
    let crashed = PriceSpec {
        owner: not_pyth,
        ..w.price_spec(0, 50 * USD).await
    };
    let crashed = fake_price(&mut w, &crashed);

    let mut keys = watched(&w, &[&lender, &victim, &attacker]);
    keys.push(own_vault);
    let before = snapshot(&mut w, &keys).await;
    let metas = w.health_metas(attacker.margin, None).await;
    // borrow out of a byte-copy of the USDC market
    let borrow = kix::borrow(
        att.pubkey(),
        attacker.margin,
        &usdc,
        attacker.tokens[1],
        50_000 * USDC,
        &metas,
    );
    assert_anchor_error(
        w.send_as(&att, &[swap_first(borrow, usdc.market, fake_usdc_market)])
            .await,
        Anchor::AccountOwnedByWrongProgram,
    );
    // borrow, and withdraw the collateral, against SOL at $10,000 from a non-Pyth account
    let priced_up = swap_all(metas.clone(), sol_px, inflated);
    assert_keel_error(
        w.borrow_with(&attacker, 1, 50_000 * USDC, &priced_up).await,
        KeelError::OraclePriceAccountMismatch,
    );
    let withdraw = kix::withdraw(
        att.pubkey(),
        attacker.margin,
        &sol,
        attacker.tokens[0],
        9 * SOL,
        &priced_up,
    );
    assert_keel_error(
        w.send_as(&att, &[withdraw]).await,
        KeelError::OraclePriceAccountMismatch,
    );
    // deposit "into" a token account the attacker owns: shares without paying the market
    let deposit = kix::deposit(
        att.pubkey(),
        attacker.margin,
        &sol,
        attacker.tokens[0],
        10 * SOL,
    );
    assert_anchor_error(
        w.send_as(&att, &[swap_first(deposit, sol_vault, own_vault)])
            .await,
        Anchor::ConstraintHasOne,
    );
    // withdraw through a byte-copy of the vault
    let withdraw = kix::withdraw(
        att.pubkey(),
        attacker.margin,
        &sol,
        attacker.tokens[0],
        SOL,
        &metas,
    );
    assert_anchor_error(
        w.send_as(&att, &[swap_first(withdraw, sol_vault, fake_vault)])
            .await,
        Anchor::AccountOwnedByWrongProgram,
    );
    // liquidate the healthy victim: at SOL $50 from a non-Pyth account, through a byte-copy of
    // its margin account, or seizing from a byte-copy of the SOL market
    let liquidate = w
        .liquidate_ix(&attacker, victim.margin, 1, 0, u64::MAX)
        .await;
    let mut crashed_ix = liquidate.clone();
    crashed_ix.accounts = swap_all(crashed_ix.accounts, sol_px, crashed);
    assert_keel_error(
        w.send_as(&att, &[crashed_ix]).await,
        KeelError::OraclePriceAccountMismatch,
    );
    let copied_victim = swap_first(liquidate.clone(), victim.margin, fake_victim);
    assert_anchor_error(
        w.send_as(&att, &[copied_victim]).await,
        Anchor::AccountOwnedByWrongProgram,
    );
    let copied_market = swap_first(liquidate, sol.market, fake_sol_market);
    assert_anchor_error(
        w.send_as(&att, &[copied_market]).await,
        Anchor::AccountOwnedByWrongProgram,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

/// Drift, 1 April 2026: with a stolen admin key and admin transactions pre-signed on durable
/// nonces, the attacker listed a fake collateral and lifted the withdrawal limits at once, with no
/// timelock, and drained the vaults. Keel refuses admin instructions in durable-nonce transactions,
/// holds a listing and any loosening behind the timelock, and lets the guardian veto them.
#[tokio::test]
async fn drift_2026_04_01_stolen_admin_key() {
    use solana_system_interface::instruction::{advance_nonce_account, create_nonce_account};
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let (pool, usdc) = (w.pool, w.markets[1].keys);
    let usdc_vault = pda::vault(&usdc.market);
    // before the theft: a one-day timelock, and at most 10,000 USDC an hour out of the USDC vault
    let admin = w.admin.insecure_clone();
    let raise = kix::raise_timelock(admin.pubkey(), pool, DAY);
    w.send_as(&admin, &[raise]).await.unwrap();
    let mut limited = w.market(1).await.config;
    limited.outflow.max_outflow = 10_000 * USDC;
    let limit = kix::tighten_market(admin.pubkey(), pool, usdc.market, limited);
    w.send_as(&admin, &[limit]).await.unwrap();
    let mut lifted = limited;
    lifted.outflow.max_outflow = u64::MAX;
    let lift = ChangeKind::MarketConfig {
        market: usdc.market,
        config: lifted,
    };

    // the key is stolen: admin transactions pre-signed on a durable nonce are refused
    let stolen = admin;
    let payer = w.env.payer();
    let nonce = Keypair::new();
    let ixs = create_nonce_account(
        &payer.pubkey(),
        &nonce.pubkey(),
        &payer.pubkey(),
        10_000_000,
    );
    w.env.send(&ixs, &[&nonce]).await.unwrap();
    w.env.advance_blockhash();
    w.refresh_prices(&[100 * USD, USD]).await;
    let authority = w.mint_authority.pubkey();
    let mint = create_mint(&mut w.env, spl_token(), 6, &authority, MintExtension::None).await;
    let presigned_market = MarketKeys::new(&pool, mint, spl_token());
    let next_id = w.pool_state().await.next_change_id;
    let presigned = [
        kix::add_market(
            stolen.pubkey(),
            payer.pubkey(),
            pool,
            &presigned_market,
            default_config([0xFA; 32]),
        ),
        kix::queue_change(stolen.pubkey(), payer.pubkey(), pool, next_id, lift),
    ];
    let keys = watched(&w, &[&lender]);
    let before = snapshot(&mut w, &keys).await;
    for ix in presigned {
        let advance = advance_nonce_account(&nonce.pubkey(), &payer.pubkey());
        let tx = w.env.raw_transaction(&[advance, ix], &[&stolen]).await;
        assert_keel_error(w.env.process(tx).await, KeelError::DurableNonceRefused);
    }
    assert!(w.env.account(presigned_market.market).await.is_none());
    assert!(w
        .env
        .account(pda::pending_change(&pool, next_id))
        .await
        .is_none());
    assert_unchanged(&mut w, &keys, &before).await;

    // the same key in fresh transactions: the fake listing is inert until the timelock...
    let fake = w
        .list_market(&token(6, 1_000 * USD), MintExtension::None, |_| {})
        .await
        .unwrap();
    let attacker = w.trader(&[0, 0, 1_000_000 * USDC]).await;
    assert_keel_error(
        w.deposit(&attacker, fake, 1_000_000 * USDC).await,
        KeelError::MarketNotActive,
    );
    assert_keel_error(
        w.borrow(&attacker, 1, 5_000 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    // ...and lifting the outflow limit is a loosening: not at once, only through the queue
    let at_once = kix::tighten_market(stolen.pubkey(), pool, usdc.market, lifted);
    assert_keel_error(
        w.send_as(&stolen, &[at_once]).await,
        KeelError::NotTightening,
    );
    let change = w.queue(lift).await.unwrap();
    let anyone = Keypair::new();
    assert_keel_error(
        w.execute(&anyone, change, Some(1)).await,
        KeelError::TimelockNotElapsed,
    );

    // within the day the guardian vetoes the lift and closes the listing's caps
    let guardian = w.guardian.insecure_clone();
    let veto = kix::cancel_change(guardian.pubkey(), pool, change, payer.pubkey());
    w.send_as(&guardian, &[veto]).await.unwrap();
    let mut closed = w.market(fake).await.config;
    closed.deposit_cap = 0;
    closed.borrow_cap = 0;
    let fake_market = w.markets[fake].keys.market;
    let close = kix::tighten_market(guardian.pubkey(), pool, fake_market, closed);
    w.send_as(&guardian, &[close]).await.unwrap();

    // after the delay: the listing takes nothing, the change is gone, the limit still holds
    w.env.warp(DAY + 1).await;
    w.refresh_prices(&[100 * USD, USD, 1_000 * USD]).await;
    assert_keel_error(
        w.deposit(&attacker, fake, 1_000_000 * USDC).await,
        KeelError::DepositCapExceeded,
    );
    assert_anchor_error(
        w.execute(&anyone, change, Some(1)).await,
        Anchor::AccountNotInitialized,
    );
    assert_eq!(w.market(1).await.config.outflow.max_outflow, 10_000 * USDC);
    assert_keel_error(
        w.withdraw(&lender, 1, 20_000 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    assert_keel_error(
        w.borrow(&attacker, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_eq!(
        balance(&mut w.env, usdc_vault).await,
        100_000 * USDC,
        "nothing left the vault"
    );
    assert_eq!(balance(&mut w.env, attacker.tokens[1]).await, 0);
    assert_eq!(
        balance(&mut w.env, attacker.tokens[fake]).await,
        1_000_000 * USDC
    );
    check(&mut w).await;
}
