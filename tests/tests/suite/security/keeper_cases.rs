//! The matrix's cases that need a state or a transaction of their own (issue 26: the matrix
//! skipped them): a flash loan (borrow and repay, each mutated inside the pair), an account
//! whose collateral is gone with debt left in a third market (`settle_bad_debt`), a provision
//! booked on that market (`book_provision`, `rebalance_insurance`), and `resume_liquidation`
//! and `veto_guardian_handover` after a pause or a proposal in the same transaction.
use super::*;
use keel_sdk::instructions::InsuranceSide;

/// The instructions a case's target sits between in its transaction.
pub(super) type Around = BTreeMap<&'static str, (Vec<Instruction>, Vec<Instruction>)>;

/// Set up the bankrupt account (SOL collateral seized at $30, 300 of the third market's debt
/// left and provisioned), then build the cases; the SOL price is back at $100 after.
pub(super) async fn keeper_cases(
    w: &mut World,
    liq: &keel_tests::Trader,
    trader: (&keel_tests::Trader, &[AccountMeta]),
) -> (Vec<(&'static str, Instruction)>, Around, Pubkey) {
    let (usdc, third) = (w.markets[1].keys, w.markets[2].keys);
    let lender = w.trader(&[0, 0, 10_000 * USDC]).await;
    w.deposit(&lender, 2, 10_000 * USDC).await.unwrap();
    let bankrupt = w.trader(&[10 * SOL, 0, 0]).await;
    w.deposit(&bankrupt, 0, 10 * SOL).await.unwrap();
    w.borrow(&bankrupt, 1, 300 * USDC).await.unwrap();
    w.borrow(&bankrupt, 2, 300 * USDC).await.unwrap();
    w.set_price(0, 30 * USD).await;
    w.liquidate(liq, bankrupt.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    w.book_provision(bankrupt.margin, 2).await.unwrap();
    w.set_price(0, 100 * USD).await;
    let left = w.margin(bankrupt.margin).await;
    assert_eq!(
        left.position_count, 1,
        "only the third market's debt is left"
    );
    w.give(liq, 2, 1_000 * USDC).await;
    // the USDC fund covered the bankrupt's USDC write-off; a flash loan's fee refills it (45 USDC)
    let big = 90_000 * USDC;
    let big_owed = kix::flash_owed(big, w.market(1).await.config.flash_fee_bps).unwrap();
    let refill = kix::with_flash_loan(liq.key.pubkey(), &usdc, liq.tokens[1], (big, big_owed), &[]);
    w.send_as(&liq.key, &refill).await.unwrap();

    let prices: Vec<Pubkey> = w.markets.iter().map(|m| m.price_account).collect();
    let side = |m: usize, keys: MarketKeys| InsuranceSide {
        market: keys,
        keeper_token: liq.tokens[m],
        price: prices[m],
        secondary: None,
    };
    let who = liq.key.pubkey();
    let loan = 1_000 * USDC;
    let owed = kix::flash_owed(loan, w.market(1).await.config.flash_fee_bps).unwrap();
    let borrow = kix::flash_borrow(who, &usdc, liq.tokens[1], loan);
    let repay = kix::flash_repay(who, &usdc, liq.tokens[1], owed);
    let cases = vec![
        ("flash_borrow", borrow.clone()),
        ("flash_repay", repay.clone()),
        (
            "settle_bad_debt",
            kix::settle_bad_debt(bankrupt.margin, third.market),
        ),
        (
            "book_provision",
            kix::book_provision(trader.0.margin, (w.pool, usdc.market), trader.1),
        ),
        (
            "rebalance_insurance",
            kix::rebalance_insurance(who, w.pool, &side(2, third), &side(1, usdc), USDC),
        ),
    ];
    let (admin, guardian) = (w.admin.pubkey(), w.guardian.pubkey());
    let mut cases = cases;
    cases.push(("resume_liquidation", kix::resume_liquidation(admin, w.pool)));
    cases.push((
        "veto_guardian_handover",
        kix::veto_guardian_handover(guardian, w.pool),
    ));
    let mut around = Around::new();
    around.insert("flash_borrow", (vec![], vec![repay]));
    around.insert("flash_repay", (vec![borrow], vec![]));
    let pause = kix::pause(guardian, w.pool, false, true);
    around.insert("resume_liquidation", (vec![pause], vec![]));
    let propose = kix::set_pending_authority(
        admin,
        w.pool,
        keel::state::Role::Guardian,
        Some(Pubkey::new_unique()),
    );
    around.insert("veto_guardian_handover", (vec![propose], vec![]));
    (cases, around, bankrupt.margin)
}
