//! Incidents of flash loans: state that spans a flash loan's instructions.
use super::*;

/// marginfi, 2025 (disclosed and fixed before any loss): a flash loan deferred its health check to
/// its last instruction, and an instruction run in between could move the account's state, so the
/// deferred check ran on state that no longer matched. Keel defers nothing: each borrow and withdraw
/// checks health on its own, and a transaction that fails anywhere leaves nothing half-done.
#[tokio::test]
async fn marginfi_2025_flash_loan_state_across_instructions() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    let honest = [100 * USD, USD];
    let attacker = w.trader(&[20 * SOL, 0]).await;
    w.deposit(&attacker, 0, 10 * SOL).await.unwrap();
    let accomplice = w.trader(&[0, 0]).await;
    let att = attacker.key.insecure_clone();
    let start = net_worth(&mut w, &attacker, &honest).await;
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    // (SOL, USDC) pairs: the positions before and after the first borrow alike
    let metas = w.health_metas(attacker.margin, Some(1)).await;
    let borrow = |amount: u64| {
        kix::borrow(
            att.pubkey(),
            attacker.margin,
            &usdc,
            attacker.tokens[1],
            amount,
            &metas,
        )
    };
    let deposit_sol = kix::deposit(
        att.pubkey(),
        attacker.margin,
        &sol,
        attacker.tokens[0],
        10 * SOL,
    );
    let keys = watched(&w, &[&lender, &attacker, &accomplice]);
    let before = snapshot(&mut w, &keys).await;

    // borrow 1,500 USDC (10 SOL back 798.4), then deposit 10 more SOL (20 back 1,596.8): the
    // transaction would end healthy, but the borrow is checked on its own and refused
    let r = w
        .env
        .send(&[borrow(1_500 * USDC), deposit_sol.clone()], &[&att])
        .await;
    assert_eq!(failed_at(&r), Some(1), "{r:?}");
    assert_keel_error(r, KeelError::InitialHealthViolated);
    // a healthy borrow, then an instruction that fails: the borrow is undone with it
    let withdraw = kix::withdraw(
        att.pubkey(),
        attacker.margin,
        &sol,
        attacker.tokens[0],
        11 * SOL,
        &metas,
    );
    let r = w.env.send(&[borrow(500 * USDC), withdraw], &[&att]).await;
    assert_eq!(failed_at(&r), Some(2), "{r:?}");
    assert_keel_error(r, KeelError::InsufficientDeposit);
    // a healthy borrow handed to an accomplice, then a second borrow past the limit: the
    // hand-over is undone too
    let hand_over = transfer(
        &w,
        1,
        attacker.tokens[1],
        accomplice.tokens[1],
        &att.pubkey(),
        500 * USDC,
    );
    let r = w
        .env
        .send(
            &[borrow(500 * USDC), hand_over, borrow(500 * USDC)],
            &[&att],
        )
        .await;
    assert_eq!(failed_at(&r), Some(3), "{r:?}");
    assert_keel_error(r, KeelError::InitialHealthViolated);
    assert_unchanged(&mut w, &keys, &before).await;
    assert_eq!(balance(&mut w.env, accomplice.tokens[1]).await, 0);

    // the same amounts in an order that is healthy after every instruction pass
    w.env
        .send(&[deposit_sol, borrow(1_500 * USDC)], &[&att])
        .await
        .unwrap();
    assert_initial_health(&mut w, attacker.margin).await;
    let end = net_worth(&mut w, &attacker, &honest).await;
    assert!(end <= start, "the attacker gained {} micro-$", end - start);
    check(&mut w).await;
}

/// marginfi, 2025, with a real flash loan: the attacker takes a Keel flash loan and, inside it,
/// tries what the marginfi flaw allowed (a borrow the health check would refuse, because the loan
/// deferred it; moving the obligation somewhere the final check does not look; paying less than
/// was lent after the fee changed). Keel's loan defers nothing about any margin account and
/// records what it is owed: each move is refused at its own instruction and changes nothing.
#[tokio::test]
async fn marginfi_2025_replayed_inside_a_keel_flash_loan() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    let attacker = w.trader(&[10 * SOL, 100 * USDC]).await;
    w.deposit(&attacker, 0, 10 * SOL).await.unwrap();
    let accomplice = w.trader(&[0, 0]).await;
    let att = attacker.key.insecure_clone();
    let usdc = w.markets[1].keys;
    let loan = 10_000 * USDC;
    let owed = kix::flash_owed(loan, w.market(1).await.config.flash_fee_bps).unwrap();
    let lend = kix::flash_borrow(att.pubkey(), &usdc, attacker.tokens[1], loan);
    let pay = |amount: u64| kix::flash_repay(att.pubkey(), &usdc, attacker.tokens[1], amount);
    let metas = w.health_metas(attacker.margin, Some(1)).await;
    let borrow = kix::borrow(
        att.pubkey(),
        attacker.margin,
        &usdc,
        attacker.tokens[1],
        1_500 * USDC,
        &metas,
    );
    // governance's cut of the fee rate to zero, queued (the pool's timelock is zero here)
    let mut free = w.market(1).await.config;
    free.flash_fee_bps = 0;
    let change = w
        .queue(ChangeKind::MarketConfig {
            market: usdc.market,
            config: free,
        })
        .await
        .unwrap();
    let payer = w.env.payer().pubkey();
    let execute = kix::execute_change(att.pubkey(), w.pool, change, payer, Some(usdc.market));
    let keys = watched(&w, &[&lender, &attacker, &accomplice]);
    let before = snapshot(&mut w, &keys).await;

    // inside the loan, a borrow past the initial requirement (10 SOL back 798.4 USDC): the loan
    // holds 10,000 USDC in the attacker's wallet, which no health check counts
    let r = w
        .env
        .send(&[lend.clone(), borrow, pay(owed)], &[&att])
        .await;
    assert_eq!(failed_at(&r), Some(2), "{r:?}");
    assert_keel_error(r, KeelError::InitialHealthViolated);
    // the lent tokens handed to an accomplice: the repay, which the borrow saw in the
    // transaction, cannot be paid, and the whole transaction (the hand-over too) is undone
    let hand_over = transfer(
        &w,
        1,
        attacker.tokens[1],
        accomplice.tokens[1],
        &att.pubkey(),
        loan,
    );
    let r = w
        .env
        .send(&[lend.clone(), hand_over, pay(owed)], &[&att])
        .await;
    assert_eq!(failed_at(&r), Some(3), "{r:?}");
    // the fee cut executed between the borrow and the repay: what is owed was recorded at the
    // borrow, so the repay at the new rate is refused
    let r = w
        .env
        .send(&[lend.clone(), execute.clone(), pay(loan)], &[&att])
        .await;
    assert_keel_error(r, KeelError::FlashRepayMismatch);
    assert_unchanged(&mut w, &keys, &before).await;
    // the same change and the loan repaid as recorded: lands, and the fee is paid at the old rate
    let fund_before = w.market(1).await.insurance_fund;
    w.env
        .send(&[lend, execute, pay(owed)], &[&att])
        .await
        .unwrap();
    let after = w.market(1).await;
    assert_eq!(after.config.flash_fee_bps, 0);
    assert_eq!(
        after.insurance_fund.0 - fund_before.0,
        Wad::from_int(owed - loan).0
    );
    check(&mut w).await;
}
