//! Flash loans on SBF: `flash_borrow` + `flash_repay` alone, and around a liquidation at 2 and 16
//! positions, run as whole transactions (one instructions sysvar for all their instructions).
use keel_cu::fixture::{Fixture, UNIT, USD};
use keel_cu::{keel_so, ok, LIQUIDATE_16};
use keel_sdk::instructions as kix;

/// `flash_borrow` and `flash_repay` together (two token transfers and the sysvar scan): what
/// the SDK allows for them.
const FLASH_PAIR: u64 = keel_sdk::compute::FLASH_LOAN_PAIR_CU as u64;

/// Flash loans on SBF: the borrow/repay pair alone, and around a liquidation at 2 and 16
/// positions (the same account liquidated plainly, on a copy of the fixture, is the baseline).
/// Budgets: the pair <= FLASH_PAIR; a flash liquidation at 16 positions still fits
/// `LIQUIDATE_16 + FLASH_PAIR`; the bot's flash allowance covers the pair.
#[test]
fn flash_loans_run_on_sbf_within_their_budget() {
    let elf = keel_so();
    let (mut f, _, _) = Fixture::new(&elf, 16);
    let (lender, _) = f.wallet(100_000_000 * UNIT);
    ok("deposit", f.deposit(&lender, 0, 10_000_000 * UNIT));
    let (user, _) = f.wallet(1_000 * UNIT);
    let keys = f.markets[0].keys;
    let amount = 1_000_000 * UNIT;
    let fee_bps = keel_sdk::decode::market(&f.sbf.get(&keys.market).unwrap().data)
        .unwrap()
        .config
        .flash_fee_bps;
    let owed = kix::flash_owed(amount, fee_bps).unwrap();
    let pair = ok(
        "flash loan",
        f.sbf.run_transaction(&kix::with_flash_loan(
            user.key,
            &keys,
            user.tokens[0],
            (amount, owed),
            &[],
        )),
    );
    let mut rows = vec![];
    for n in [2, 16] {
        let plain_account = f.account_with(n);
        let flash_account = f.account_with(n);
        for m in 1..16 {
            f.set_price(m, 65 * USD / 10);
        }
        let (liq, _) = f.wallet(100_000_000 * UNIT);
        let plain = ok(
            "liquidate",
            f.sbf.run_transaction(&[f.liquidate_ix(
                &liq,
                plain_account.margin,
                (0, 1),
                100 * UNIT,
            )]),
        );
        // the liquidator borrows what it repays (with room for the protocol's fee)
        let borrow = 110 * UNIT;
        let owed = kix::flash_owed(borrow, fee_bps).unwrap();
        let inner = [f.liquidate_ix(&liq, flash_account.margin, (0, 1), 100 * UNIT)];
        let flash = ok(
            "flash liquidation",
            f.sbf.run_transaction(&kix::with_flash_loan(
                liq.key,
                &keys,
                liq.tokens[0],
                (borrow, owed),
                &inner,
            )),
        );
        for m in 1..16 {
            f.set_price(m, 10 * USD);
        }
        rows.push((n, plain, flash));
    }
    println!("FIGURE flash_borrow + flash_repay: {pair} CU");
    for (n, plain, flash) in &rows {
        println!(
            "FIGURE liquidate at {n} positions: {plain} CU plain, {flash} CU inside a flash loan (+{})",
            flash - plain
        );
    }
    assert!(pair <= FLASH_PAIR, "flash loan pair {pair} > {FLASH_PAIR}");
    let (_, plain16, flash16) = rows[1];
    assert!(
        flash16 - plain16 <= FLASH_PAIR,
        "flash overhead {}",
        flash16 - plain16
    );
    assert!(
        flash16 <= LIQUIDATE_16 + FLASH_PAIR,
        "flash liquidation at 16: {flash16}"
    );
}
