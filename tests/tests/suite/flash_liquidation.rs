//! Capital-free liquidation and one-transaction leverage with flash loans, on the real runtime:
//! the flash-mode bot liquidates from a wallet holding no tokens at all (borrow the debt token,
//! liquidate, sell the seizure on a swap desk, repay), refuses a plan that does not pay after
//! fees, and a trader opens a 3x position in one transaction.
use crate::common::*;
use keel::math::fixed::WAD;
use keel_liquidator::config::Mode;
use keel_liquidator::{execute, prepare, Config};
use keel_sdk::chain::BanksChain;
use keel_sdk::instructions as kix;
use keel_sdk::pda;
use keel_simulator::flash_desks::desk_route;
use keel_tests::invariants::check;
use keel_tests::swap::Desk;
use keel_tests::tokens::balance;
use keel_tests::world::{fund, USD};
use keel_tests::{Trader, World};
use solana_sdk::signature::Signer;

/// A desk's rate for `usd_per_in` dollars of the output token per whole input token: base units
/// out per base unit in, WAD-scaled (out has `out_dec` decimals, in has `in_dec`).
fn rate(usd_per_in: f64, in_dec: u32, out_dec: u32) -> u128 {
    (usd_per_in * 10f64.powi(out_dec as i32 - in_dec as i32) * WAD as f64) as u128
}

/// The desk selling USDC for SOL (what a liquidator of SOL collateral sells into).
fn sol_desk(w: &World) -> Desk {
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    Desk::new(sol.mint, usdc.mint, (sol.token_program, usdc.token_program))
}

/// A flash-mode bot selling on `desk`, whose wallet holds SOL for fees and not one token.
async fn flash_bot(w: &mut World, desk: &Desk) -> (Trader, BanksChain, Config) {
    let bot = w.trader(&vec![0; w.markets.len()]).await;
    fund(&mut w.env, &bot.key.pubkey(), 10 * SOL);
    let chain = BanksChain::new(w.env.banks_client().await, bot.key.insecure_clone());
    chain.track(w.markets.iter().map(|m| m.keys.market));
    chain.track(w.accounts.iter().copied());
    let mut config = Config::for_pool(w.pool);
    for (i, m) in w.markets.iter().enumerate() {
        config.price_accounts.insert(m.keys.market, m.price_account);
        config.token_accounts.insert(m.keys.mint, bot.tokens[i]);
    }
    config.mode = Mode::Flash;
    config.flash.routes = vec![desk_route(desk)];
    (bot, chain, config)
}

/// A victim (10 SOL backing 790 USDC) made liquidatable by SOL at $88; a desk buying SOL at
/// `desk_usd`; a flash-mode bot whose wallet holds SOL for fees and not one token.
async fn setup(desk_usd: f64, slippage_bps: u16) -> (World, Trader, Trader, BanksChain, Config) {
    let mut w = sol_usdc().await;
    let (_lender, victim) = funded(&mut w).await;
    w.borrow(&victim, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 88 * USD).await;
    let desk = sol_desk(&w);
    desk.write(&mut w.env, 1_000_000 * USDC, rate(desk_usd, 9, 6))
        .await;
    let (bot, chain, mut config) = flash_bot(&mut w, &desk).await;
    config.flash.slippage_bps = slippage_bps;
    (w, victim, bot, chain, config)
}

#[tokio::test]
async fn a_flash_liquidation_by_an_account_with_zero_balance() {
    // the desk pays $87.56 a SOL (0.5% under the oracle); the bot expects 1% slippage
    let (mut w, victim, bot, chain, config) = setup(88.0 * 0.995, 100).await;
    assert!(w.health(victim.margin).await.unwrap().liquidatable);
    assert_eq!(balance(&mut w.env, bot.tokens[0]).await, 0);
    assert_eq!(balance(&mut w.env, bot.tokens[1]).await, 0);
    let debt_before = w.health(victim.margin).await.unwrap().debt_maint;
    let fund_before = w.market(1).await.insurance_fund;

    let plan = prepare(&chain, &config).await.unwrap();
    assert_eq!(plan.liquidations.len(), 1);
    let (_, choice) = &plan.liquidations[0];
    let (borrow, owed) = choice.flash.expect("a flash plan");
    assert_eq!(
        borrow,
        choice.plan.repay + choice.plan.fee,
        "borrows what liquidate takes"
    );
    assert!(owed > borrow, "the flash fee is owed on top");
    let report = execute(&chain, &config, &plan).await;
    assert_eq!((report.succeeded, report.failed), (1, 0), "{report:?}");

    // the seizure was sold in full and the loan repaid: what is left is the bot's profit, in USDC
    let sold = choice.plan.to_liquidator();
    let proceeds = Desk::quote(sold, rate(88.0 * 0.995, 9, 6));
    assert_eq!(balance(&mut w.env, bot.tokens[0]).await, 0);
    let profit = balance(&mut w.env, bot.tokens[1]).await;
    assert_eq!(profit, proceeds - owed);
    assert!(profit > 0);
    let fees = w.market(1).await.insurance_fund.0 - fund_before.0;
    assert!(
        fees >= ((owed - borrow) as u128) * WAD,
        "the flash fee joined the insurance fund"
    );
    let after = w.health(victim.margin).await.unwrap();
    assert!(after.debt_maint.0 < debt_before.0);
    assert!(!w.market(1).await.flash_loan.is_open());
    check(&mut w).await;
}

#[tokio::test]
async fn the_flash_bot_refuses_a_plan_that_does_not_pay_after_fees() {
    // expected slippage of 20% eats more than the bonus: nothing is planned, nothing is sent
    let (mut w, victim, _bot, chain, config) = setup(88.0 * 0.995, 2_000).await;
    let keys = watched(&w, &[&victim]);
    let before = snapshot(&mut w, &keys).await;
    let plan = prepare(&chain, &config).await.unwrap();
    assert_eq!(plan.liquidatable, 1);
    assert!(
        plan.liquidations.is_empty(),
        "unprofitable after slippage and fees"
    );
    let report = execute(&chain, &config, &plan).await;
    assert_eq!(report.attempted, 0);
    assert_unchanged(&mut w, &keys, &before).await;

    // the estimate pays but the desk's real quote (half the oracle) cannot cover the loan: the
    // route's minimum output refuses the sale, the simulation fails, nothing is sent
    let (mut w, victim, _bot, chain, config) = setup(44.0, 100).await;
    let keys = watched(&w, &[&victim]);
    let before = snapshot(&mut w, &keys).await;
    let report = keel_liquidator::run_pass(&chain, &config).await.unwrap();
    assert_eq!(
        (report.attempted, report.succeeded, report.failed),
        (1, 0, 1),
        "{report:?}"
    );
    assert_unchanged(&mut w, &keys, &before).await;
}

#[tokio::test]
async fn a_trader_opens_a_3x_position_in_one_transaction() {
    let mut w = sol_usdc().await;
    let (_lender, _) = funded(&mut w).await;
    // SOL lenders: the flash loan's source
    let sol_lender = w.trader(&[100 * SOL, 0]).await;
    w.deposit(&sol_lender, 0, 100 * SOL).await.unwrap();
    // 10 SOL of equity ($1,000) and a little for the flash fee
    let t = w.trader(&[10 * SOL + SOL / 10, 0]).await;
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    // a desk selling SOL for USDC at the oracle's $100
    let desk = Desk::new(usdc.mint, sol.mint, (usdc.token_program, sol.token_program));
    desk.write(&mut w.env, 1_000 * SOL, rate(0.01, 6, 9)).await;
    let me = t.key.pubkey();
    let loan = 20 * SOL;
    let owed = kix::flash_owed(loan, w.market(0).await.config.flash_fee_bps).unwrap();
    // the positions the account will have: SOL (deposited in the same transaction) and USDC
    let metas = w.health_accounts(&[sol.market, usdc.market]);
    let inner = [
        kix::deposit(me, t.margin, &sol, t.tokens[0], 30 * SOL),
        kix::borrow(me, t.margin, &usdc, t.tokens[1], 2_000 * USDC, &metas),
        desk.swap_ix(me, t.tokens[1], t.tokens[0], 2_000 * USDC, loan),
    ];
    let ixs = kix::with_flash_loan(me, &sol, t.tokens[0], (loan, owed), &inner);
    w.send_as(&t.key, &ixs).await.unwrap();

    // 30 SOL ($3,000) backing 2,000 USDC on $1,000 of equity: 3x, in one transaction
    let account = w.margin(t.margin).await;
    let m = w.market(0).await;
    let deposit =
        keel::math::shares::deposit_amount(account.positions[0].deposit_shares, m.deposit_index)
            .unwrap();
    assert_eq!(deposit, 30 * SOL);
    let report = w.health(t.margin).await.unwrap();
    assert!(report.meets_initial && !report.liquidatable);
    assert_eq!(
        balance(&mut w.env, t.tokens[0]).await,
        10 * SOL + SOL / 10 - 10 * SOL - (owed - loan)
    );
    assert_eq!(balance(&mut w.env, t.tokens[1]).await, 0);
    // without the loan the same three steps are refused: 10 SOL cannot back 2,000 USDC
    let t2 = w.trader(&[10 * SOL, 0]).await;
    let metas = w.health_accounts(&[sol.market, usdc.market]);
    let r = w
        .send_as(
            &t2.key,
            &[
                kix::deposit(t2.key.pubkey(), t2.margin, &sol, t2.tokens[0], 10 * SOL),
                kix::borrow(
                    t2.key.pubkey(),
                    t2.margin,
                    &usdc,
                    t2.tokens[1],
                    2_000 * USDC,
                    &metas,
                ),
            ],
        )
        .await;
    keel_tests::env::assert_keel_error(r, keel::errors::KeelError::InitialHealthViolated);
    check(&mut w).await;
}

/// A 16-position account liquidated by the flash bot: the transaction (flash loan, liquidation
/// with 16 (market, price) groups, the route's swap) exceeds a packet as a legacy transaction, so
/// the bot is refused before sending until it is given a lookup table of the pool's accounts;
/// with one it lands as a v0 transaction.
#[tokio::test]
async fn a_sixteen_position_flash_liquidation_goes_through_a_lookup_table() {
    let (mut w, victim) = sixteen_position_world().await;
    w.set_price(0, 90 * USD).await;
    let desk = sol_desk(&w);
    desk.write(&mut w.env, 1_000_000 * USDC, rate(90.0 * 0.995, 9, 6))
        .await;
    let (bot, chain, mut config) = flash_bot(&mut w, &desk).await;
    let keys = watched(&w, &[&victim, &bot]);
    let before = snapshot(&mut w, &keys).await;

    let report = keel_liquidator::run_pass(&chain, &config).await.unwrap();
    assert_eq!((report.attempted, report.succeeded), (1, 0), "{report:?}");
    assert!(
        report.errors[0].contains("address lookup table"),
        "{:?}",
        report.errors
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // the operator's table: every market, vault, mint and price account of the pool, the pool,
    // the desk, and the bot's token accounts (what does not change from one liquidation to the
    // next)
    let mut addresses = vec![
        w.pool,
        kix::INSTRUCTIONS_SYSVAR,
        desk.desk,
        desk.reserve_in,
        desk.reserve_out,
    ];
    for m in &w.markets {
        addresses.extend([
            m.keys.market,
            pda::vault(&m.keys.market),
            m.keys.mint,
            m.price_account,
        ]);
    }
    addresses.extend(bot.tokens.iter().copied());
    let table = w.env.write_lookup_table(addresses);
    config.lookup_tables = vec![table.key];
    let report = keel_liquidator::run_pass(&chain, &config).await.unwrap();
    assert_eq!((report.attempted, report.succeeded), (1, 1), "{report:?}");
    assert!(
        balance(&mut w.env, bot.tokens[1]).await > 0,
        "the bot's profit, in USDC"
    );
    assert_eq!(
        balance(&mut w.env, bot.tokens[0]).await,
        0,
        "the seizure sold in full"
    );
    check(&mut w).await;
}
