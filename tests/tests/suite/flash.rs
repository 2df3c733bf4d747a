//! Flash loans on the real runtime (program: instructions/flash/): a loan repaid in its own
//! transaction lands and pays its fee to the insurance fund; every way of not repaying it, or of
//! repaying something else, is refused and changes nothing.
use crate::common::{assert_unchanged, snapshot, sol_usdc, watched, SOL, USDC};
use keel::errors::KeelError;
use keel::math::fixed::Wad;
use keel_sdk::instructions::{self as kix};
use keel_sdk::pda;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::relay::relay_ix;
use keel_tests::tokens::balance;
use keel_tests::{Trader, World};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;

/// A lender with 100,000 USDC and 100 SOL deposited; a borrower holding only 100 USDC (for fees).
async fn setup() -> (World, Trader, Trader) {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[100 * SOL, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    w.deposit(&lender, 0, 100 * SOL).await.unwrap();
    let borrower = w.trader(&[0, 100 * USDC]).await;
    (w, lender, borrower)
}

fn lend(w: &World, t: &Trader, m: usize, amount: u64) -> Instruction {
    kix::flash_borrow(t.key.pubkey(), &w.markets[m].keys, t.tokens[m], amount)
}

fn pay(w: &World, t: &Trader, m: usize, owed: u64) -> Instruction {
    kix::flash_repay(t.key.pubkey(), &w.markets[m].keys, t.tokens[m], owed)
}

/// principal + fee at the market's configured rate.
async fn owed(w: &mut World, m: usize, amount: u64) -> u64 {
    let fee_bps = w.market(m).await.config.flash_fee_bps;
    kix::flash_owed(amount, fee_bps).unwrap()
}

#[tokio::test]
async fn a_flash_loan_repaid_in_the_same_transaction_lands_and_pays_its_fee() {
    let (mut w, _lender, b) = setup().await;
    let vault = pda::vault(&w.markets[1].keys.market);
    let before = w.market(1).await;
    assert_eq!(before.config.flash_fee_bps, 5, "the shipped fee");
    let vault_before = balance(&mut w.env, vault).await;
    let amount = 50_000 * USDC;
    let owed = owed(&mut w, 1, amount).await;
    assert_eq!(owed, amount + 25 * USDC, "5 bps of 50,000 USDC");
    let out = w
        .send_as(&b.key, &[lend(&w, &b, 1, amount), pay(&w, &b, 1, owed)])
        .await
        .unwrap();
    let after = w.market(1).await;
    assert_eq!(balance(&mut w.env, vault).await, vault_before + 25 * USDC);
    assert_eq!(balance(&mut w.env, b.tokens[1]).await, 75 * USDC);
    assert_eq!(
        after.insurance_fund.0 - before.insurance_fund.0,
        Wad::from_int(25 * USDC).0,
        "the fee joins the insurance fund"
    );
    assert!(!after.flash_loan.is_open());
    assert_eq!(after.outflow, before.outflow, "outside the outflow limit");
    assert_eq!(after.total_borrow_shares, before.total_borrow_shares);
    assert_eq!(after.total_deposit_shares, before.total_deposit_shares);
    let events = out
        .logs
        .iter()
        .filter(|l| l.contains("Program data: "))
        .count();
    assert_eq!(events, 2, "FlashBorrowed and FlashRepaid: {:?}", out.logs);
    check(&mut w).await;
}

/// Send `ixs` signed by `b`: refused with `expected`, and nothing changed.
async fn refused(w: &mut World, b: &Trader, ixs: &[Instruction], expected: KeelError) {
    let keys = watched(w, &[b]);
    let before = snapshot(w, &keys).await;
    assert_keel_error(w.send_as(&b.key, ixs).await, expected);
    assert_unchanged(w, &keys, &before).await;
}

#[tokio::test]
async fn a_flash_loan_not_repaid_is_refused() {
    let (mut w, _, b) = setup().await;
    let ixs = [lend(&w, &b, 1, 1_000 * USDC)];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanNotRepaid).await;
}

#[tokio::test]
async fn a_flash_loan_repaid_short_is_refused() {
    let (mut w, _, b) = setup().await;
    let amount = 1_000 * USDC;
    let owed = owed(&mut w, 1, amount).await;
    let ixs = [lend(&w, &b, 1, amount), pay(&w, &b, 1, amount)];
    refused(&mut w, &b, &ixs, KeelError::FlashRepayMismatch).await;
    let ixs = [lend(&w, &b, 1, amount), pay(&w, &b, 1, owed - 1)];
    refused(&mut w, &b, &ixs, KeelError::FlashRepayMismatch).await;
    // paying more than owed is no way to settle either: the amount is exact
    let ixs = [lend(&w, &b, 1, amount), pay(&w, &b, 1, owed + 1)];
    refused(&mut w, &b, &ixs, KeelError::FlashRepayMismatch).await;
}

#[tokio::test]
async fn a_flash_loan_repaid_to_another_market_is_refused() {
    let (mut w, _, b) = setup().await;
    let owed = owed(&mut w, 1, 1_000 * USDC).await;
    let ixs = [lend(&w, &b, 1, 1_000 * USDC), pay(&w, &b, 0, owed)];
    refused(&mut w, &b, &ixs, KeelError::FlashRepayMismatch).await;
}

#[tokio::test]
async fn nested_and_duplicated_flash_loans_are_refused() {
    let (mut w, _, b) = setup().await;
    w.give(&b, 0, SOL).await;
    let usdc = owed(&mut w, 1, 1_000 * USDC).await;
    let sol = owed(&mut w, 0, SOL).await;
    // nested: a loan of SOL inside a loan of USDC
    let ixs = [
        lend(&w, &b, 1, 1_000 * USDC),
        lend(&w, &b, 0, SOL),
        pay(&w, &b, 0, sol),
        pay(&w, &b, 1, usdc),
    ];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanNested).await;
    // nested in the same market
    let ixs = [
        lend(&w, &b, 1, 1_000 * USDC),
        lend(&w, &b, 1, 1_000 * USDC),
        pay(&w, &b, 1, usdc),
        pay(&w, &b, 1, usdc),
    ];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanNested).await;
    // duplicated: two loans one after the other in one transaction
    let ixs = [
        lend(&w, &b, 1, 1_000 * USDC),
        pay(&w, &b, 1, usdc),
        lend(&w, &b, 1, 1_000 * USDC),
        pay(&w, &b, 1, usdc),
    ];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanNested).await;
}

#[tokio::test]
async fn a_repay_before_the_borrow_is_refused() {
    let (mut w, _, b) = setup().await;
    let usdc = owed(&mut w, 1, 1_000 * USDC).await;
    // the repay runs first, with nothing out
    let ixs = [pay(&w, &b, 1, usdc), lend(&w, &b, 1, 1_000 * USDC)];
    refused(&mut w, &b, &ixs, KeelError::NoFlashLoan).await;
    // and a repay alone
    let ixs = [pay(&w, &b, 1, usdc)];
    refused(&mut w, &b, &ixs, KeelError::NoFlashLoan).await;
}

#[tokio::test]
async fn a_flash_loan_through_another_program_is_refused() {
    let (mut w, _, b) = setup().await;
    let amount = 1_000 * USDC;
    let usdc = owed(&mut w, 1, amount).await;
    // borrow via CPI, no repay at all
    let ixs = [relay_ix(&lend(&w, &b, 1, amount))];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanCpi).await;
    // borrow via CPI with a top-level repay after it: still refused, top-level only
    let ixs = [relay_ix(&lend(&w, &b, 1, amount)), pay(&w, &b, 1, usdc)];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanCpi).await;
    // a top-level borrow whose repay is a CPI: the borrow finds no repay in the transaction
    let ixs = [lend(&w, &b, 1, amount), relay_ix(&pay(&w, &b, 1, usdc))];
    refused(&mut w, &b, &ixs, KeelError::FlashLoanNotRepaid).await;
    // the relay itself works: it carries a plain deposit through
    let deposit = kix::deposit(
        b.key.pubkey(),
        b.margin,
        &w.markets[1].keys,
        b.tokens[1],
        USDC,
    );
    w.send_as(&b.key, &[relay_ix(&deposit)]).await.unwrap();
}

#[tokio::test]
async fn a_flash_loan_cannot_take_more_than_the_vault_lends() {
    let (mut w, _, b) = setup().await;
    let m = w.market(1).await;
    let vault = balance(&mut w.env, pda::vault(&w.markets[1].keys.market)).await;
    let available = m.available_liquidity(vault).unwrap();
    let too_much = available + 1;
    let owed = owed(&mut w, 1, too_much).await;
    let ixs = [lend(&w, &b, 1, too_much), pay(&w, &b, 1, owed)];
    refused(&mut w, &b, &ixs, KeelError::InsufficientLiquidity).await;
    let ixs = [lend(&w, &b, 1, 0), pay(&w, &b, 1, 0)];
    refused(&mut w, &b, &ixs, KeelError::ZeroAmount).await;
}
