//! Real DeFi incidents replayed against Keel on the real runtime, one test each, named after the
//! incident. Each test plays the attacker's moves and asserts he ends with nothing: his moves are
//! refused with the specific error and change no account, and/or his holdings (wallet tokens plus
//! margin deposits less debt, valued at honest prices) are no larger after than before.
use crate::common::*;
use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_spl::token_2022::spl_token_2022;
use keel::errors::KeelError;
use keel::math::fixed::Wad;
use keel::math::shares::{debt_amount, deposit_amount};
use keel::state::ChangeKind;
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::pda;
use keel_tests::env::{assert_anchor_error, assert_keel_error};
use keel_tests::invariants::{assert_initial_health, check};
use keel_tests::pyth::{write_price, PriceSpec};
use keel_tests::tokens::{balance, create_mint, create_token_account, spl_token, MintExtension};
use keel_tests::world::{default_config, default_liquidation, fund, USD};
use keel_tests::{MarketSpec, Trader, World};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;

const DAY: i64 = 86_400;

/// An SPL Token market spec: `decimals`, priced at `price` (mantissa at the harness exponent).
fn token(decimals: u8, price: i64) -> MarketSpec {
    MarketSpec {
        token_program: spl_token(),
        decimals,
        price,
    }
}

/// Value in micro-dollars of `amount` base units of market `m` at price mantissa `price` (1e-8 $).
fn usd(w: &World, m: usize, amount: u64, price: i64) -> i128 {
    let decimals = w.markets[m].decimals as u32;
    amount as i128 * price as i128 / 10i128.pow(decimals + 2)
}

/// What `t` holds at the honest `prices` (one per market), in micro-dollars: its wallet's tokens,
/// plus its margin account's deposits, less its debt (interest projected to now).
async fn net_worth(w: &mut World, t: &Trader, prices: &[i64]) -> i128 {
    let now = w.env.now().await;
    let account = w.margin(t.margin).await;
    let mut total = 0;
    for (m, price) in prices.iter().enumerate() {
        if let Some(wallet) = t.tokens.get(m) {
            let held = balance(&mut w.env, *wallet).await;
            total += usd(w, m, held, *price);
        }
        if let Some(i) = account.find(&w.markets[m].keys.market) {
            let p = account.positions[i];
            let step = w.market(m).await.projected_accrual(now).unwrap();
            let deposit = deposit_amount(p.deposit_shares, step.deposit_index).unwrap();
            let debt = debt_amount(p.borrow_shares, step.borrow_index).unwrap();
            total += usd(w, m, deposit, *price) - usd(w, m, debt, *price);
        }
    }
    total
}

/// A byte-copy of `key` at a new address, owned by another program.
async fn foreign_copy(w: &mut World, key: Pubkey) -> Pubkey {
    let mut acc: Account = w.env.account(key).await.expect("account");
    acc.owner = Pubkey::new_unique();
    let copy = Pubkey::new_unique();
    w.env.ctx.set_account(&copy, &acc.into());
    copy
}

/// A price account written at a new address from `spec` (owner, feed and verification included).
fn fake_price(w: &mut World, spec: &PriceSpec) -> Pubkey {
    let key = Pubkey::new_unique();
    write_price(&mut w.env, key, spec);
    key
}

/// `ix` with the first occurrence of `from` replaced by `to`: a fixed account, since the fixed
/// accounts precede the remaining ones.
fn swap_first(mut ix: Instruction, from: Pubkey, to: Pubkey) -> Instruction {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == from)
        .expect("the account is in the instruction");
    meta.pubkey = to;
    ix
}

/// `metas` with every occurrence of `from` replaced by `to`.
fn swap_all(mut metas: Vec<AccountMeta>, from: Pubkey, to: Pubkey) -> Vec<AccountMeta> {
    let mut found = false;
    for m in metas.iter_mut().filter(|m| m.pubkey == from) {
        m.pubkey = to;
        found = true;
    }
    assert!(found, "{from} is not among the accounts");
    metas
}

/// Index of the instruction a transaction failed at (0 is the harness's compute-budget prefix).
fn failed_at<T>(r: &Result<T, TransactionError>) -> Option<u8> {
    match r {
        Err(TransactionError::InstructionError(i, _)) => Some(*i),
        _ => None,
    }
}

/// A plain SPL transfer of `amount` of market `m`'s token, signed by `authority`.
fn transfer(
    w: &World,
    m: usize,
    from: Pubkey,
    to: Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Instruction {
    let f = &w.markets[m];
    spl_token_2022::instruction::transfer_checked(
        &f.keys.token_program,
        &from,
        &f.keys.mint,
        &to,
        authority,
        &[],
        amount,
        f.decimals,
    )
    .unwrap()
}

/// Mango Markets, October 2022: the attacker pumped the thin MNGO's price over 20x within minutes
/// and borrowed over $110M against it, leaving bad debt when it fell back. Keel lends against the
/// worse of spot and the lagging EMA, caps deposits, and counts a too-wide confidence as zero: the
/// borrow stays within cap x EMA x initial weight, and a liquidator clears it once the price returns.
#[tokio::test]
async fn mango_markets_2022_pumped_collateral_borrow() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000_000 * USDC).await.unwrap();
    // the thin token: $1, at most 10,000 tokens deposited in the whole market
    let thin = w
        .list_market(&token(6, USD), MintExtension::None, |c| {
            c.deposit_cap = 10_000 * USDC
        })
        .await
        .unwrap();
    let honest = [100 * USD, USD, USD];
    let attacker = w.trader(&[0, 0, 100_000 * USDC]).await;
    let start = net_worth(&mut w, &attacker, &honest).await;
    assert_keel_error(
        w.deposit(&attacker, thin, 10_000 * USDC + 1).await,
        KeelError::DepositCapExceeded,
    );
    w.deposit(&attacker, thin, 10_000 * USDC).await.unwrap();

    // the pump: spot 20x, the EMA lagging at $1.10
    let pumped = PriceSpec {
        ema_price: 110_000_000,
        ema_conf: 110_000,
        ..w.price_spec(thin, 20 * USD).await
    };
    // a disorderly pump (publishers disagree, confidence 5% > the 2% allowed): worth nothing
    let wide = PriceSpec {
        conf: (pumped.price / 20) as u64,
        ..pumped
    };
    w.write_price(thin, &wide);
    let keys = watched(&w, &[&lender, &attacker]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 1).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // an orderly pump: spot would back 10,000 * $19.98 * 80% = $159,840; the EMA backs
    // 10,000 * ($1.10 - $0.0011) * 80% = $8,791.2, i.e. 8,782.4 USDC at $1.001
    w.write_price(thin, &pumped);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 8_783 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&attacker, 1, 8_782 * USDC).await.unwrap();
    assert_initial_health(&mut w, attacker.margin).await;

    // the price returns to $1: the account is under water at maintenance and is liquidated
    w.set_price(thin, USD).await;
    let report = w.health(attacker.margin).await.unwrap();
    assert!(report.liquidatable, "{report:?}");
    let liquidator = w.trader(&[0, 100_000 * USDC, 0]).await;
    let liq_start = net_worth(&mut w, &liquidator, &honest).await;
    w.liquidate(&liquidator, attacker.margin, 1, thin, u64::MAX)
        .await
        .unwrap();
    let after = w.health(attacker.margin).await.unwrap();
    assert!(!after.liquidatable, "{after:?}");
    assert!(
        after.collateral_value > after.debt_value,
        "the remaining debt is backed at the honest price: {after:?}"
    );
    assert_eq!(w.market(1).await.bad_debt_socialised, Wad::ZERO);
    assert!(net_worth(&mut w, &liquidator, &honest).await > liq_start);
    let end = net_worth(&mut w, &attacker, &honest).await;
    assert!(end <= start, "the attacker gained {} micro-$", end - start);
    check(&mut w).await;
}

/// Solend, November 2022: USDH's price was pushed far above $1 for a few slots on the one thin
/// pool its oracle read, and the attacker borrowed against it (about $1.26M of bad debt). Keel
/// counts a price whose confidence is wider than the market allows as zero (and refuses it outright
/// for a debt), and its initial requirement takes the lagging EMA: the spike adds no borrowing power.
#[tokio::test]
async fn solend_usdh_2022_thin_oracle_spike() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000_000 * USDC).await.unwrap();
    let usdh = w
        .list_market(&token(6, USD), MintExtension::None, |_| {})
        .await
        .unwrap();
    let honest = [100 * USD, USD, USD];
    let attacker = w.trader(&[0, 0, 100_000 * USDC]).await;
    w.deposit(&attacker, usdh, 100_000 * USDC).await.unwrap();
    // a bystander short USDH: 100 USDH borrowed against 10 SOL
    let short = w.trader(&[10 * SOL, 0, 0]).await;
    w.deposit(&short, 0, 10 * SOL).await.unwrap();
    w.borrow(&short, usdh, 100 * USDC).await.unwrap();
    let start = net_worth(&mut w, &attacker, &honest).await;
    let keys = watched(&w, &[&lender, &attacker, &short]);

    // at $1: 100,000 * $0.999 * 80% = $79,920 of debt at $1.001, i.e. 79,840.1 USDC
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 79_841 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // the spike to $8, confidence 5% (> 2%): the collateral counts as zero, not one base unit
    // can be borrowed; where the price would value a debt it is refused outright
    let spike = PriceSpec {
        ema_price: USD,
        ema_conf: (USD / 1000) as u64,
        ..w.price_spec(usdh, 8 * USD).await
    };
    let wide = PriceSpec {
        conf: (spike.price / 20) as u64,
        ..spike
    };
    w.write_price(usdh, &wide);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 1).await,
        KeelError::InitialHealthViolated,
    );
    assert_keel_error(
        w.withdraw(&short, 0, 1).await,
        KeelError::OracleConfidenceTooWide,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // the spike with a tight confidence: the EMA still says $1, so exactly the honest bound
    w.write_price(usdh, &spike);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 79_841 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&attacker, 1, 79_840 * USDC).await.unwrap();

    // the spike ends: the loan was an honest one, healthy at $1, and gained the attacker nothing
    w.set_price(usdh, USD).await;
    let report = w.health(attacker.margin).await.unwrap();
    assert!(report.meets_initial && !report.liquidatable, "{report:?}");
    let end = net_worth(&mut w, &attacker, &honest).await;
    assert!(end <= start, "the attacker gained {} micro-$", end - start);
    check(&mut w).await;
}

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
    predatory.weights.init_asset_weight_bps = 5_000;
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
        w.markets[0].price_account
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

/// Nirvana, July 2022: inside one flash-loaned transaction the attacker moved ANA's price (its
/// bonding curve priced from its own balances) and minted against it, taking about $3.5M. Keel
/// prices from oracles and counts deposits as shares of an interest index, never from a vault's
/// balance: tokens pushed into a vault mid-transaction move neither the index nor anyone's health.
#[tokio::test]
async fn nirvana_2022_same_transaction_price_move() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let honest = [100 * USD, USD];
    let attacker = w.trader(&[10 * SOL, 60_000 * USDC]).await;
    let att = attacker.key.insecure_clone();
    let start = net_worth(&mut w, &attacker, &honest).await;
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    let usdc_vault = pda::vault(&usdc.market);
    let donate = |w: &World, amount: u64| {
        transfer(w, 1, attacker.tokens[1], usdc_vault, &att.pubkey(), amount)
    };
    let index = w.market(1).await.deposit_index;
    let vault_before = balance(&mut w.env, usdc_vault).await;
    let lender_health = w.health(lender.margin).await.unwrap();
    let trader_health = w.health(trader.margin).await.unwrap();

    // one transaction: deposit 1,000 USDC, donate 50,000 straight into the vault, withdraw all
    let round_trip = [
        kix::deposit(
            att.pubkey(),
            attacker.margin,
            &usdc,
            attacker.tokens[1],
            1_000 * USDC,
        ),
        donate(&w, 50_000 * USDC),
        kix::withdraw(
            att.pubkey(),
            attacker.margin,
            &usdc,
            attacker.tokens[1],
            u64::MAX,
            &[],
        ),
    ];
    w.env.send(&round_trip, &[&att]).await.unwrap();
    assert_eq!(w.market(1).await.deposit_index, index);
    assert_eq!(
        balance(&mut w.env, attacker.tokens[1]).await,
        10_000 * USDC,
        "the withdrawal returned the 1,000 deposited, not a share of the donation"
    );
    assert_eq!(
        balance(&mut w.env, usdc_vault).await,
        vault_before + 50_000 * USDC
    );
    assert_eq!(w.health(lender.margin).await.unwrap(), lender_health);
    assert_eq!(w.health(trader.margin).await.unwrap(), trader_health);

    // one transaction: donate, deposit 10 SOL, borrow past what 10 SOL back at the oracle price
    // (10 * $99.9 * 80% = $799.2 of debt at $1.001: 798.4 USDC): refused as a whole
    let metas = w.health_accounts(&[sol.market, usdc.market]);
    let attack = |w: &World, borrow: u64| {
        [
            donate(w, 5_000 * USDC),
            kix::deposit(
                att.pubkey(),
                attacker.margin,
                &sol,
                attacker.tokens[0],
                10 * SOL,
            ),
            kix::borrow(
                att.pubkey(),
                attacker.margin,
                &usdc,
                attacker.tokens[1],
                borrow,
                &metas,
            ),
        ]
    };
    let keys = watched(&w, &[&lender, &trader, &attacker]);
    let before = snapshot(&mut w, &keys).await;
    let refused = attack(&w, 800 * USDC);
    let r = w.env.send(&refused, &[&att]).await;
    assert_eq!(failed_at(&r), Some(3), "{r:?}");
    assert_keel_error(r, KeelError::InitialHealthViolated);
    assert_unchanged(&mut w, &keys, &before).await;
    // the oracle bound holds exactly, donation or not
    let bounded = attack(&w, 798 * USDC);
    w.env.send(&bounded, &[&att]).await.unwrap();
    assert_eq!(w.market(1).await.deposit_index, index);
    assert_eq!(
        balance(&mut w.env, usdc_vault).await,
        vault_before + 55_000 * USDC - 798 * USDC
    );
    let end = net_worth(&mut w, &attacker, &honest).await;
    let donated = usd(&w, 1, 55_000 * USDC, USD);
    assert!(
        end <= start - donated,
        "the donations are lost and the loan is only a loan: {start} -> {end}"
    );
    check(&mut w).await;
}

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

/// Loopscale, April 2025: collateral (RateX PT tokens) was priced from accounts the borrower
/// supplied and the program did not fully check; a crafted one inflated it and about $5.8M was
/// borrowed. Keel reads a price only from an account the Pyth receiver owns, fully verified, of the
/// market's own feed: every substitute (and another market's genuine price) is refused.
#[tokio::test]
async fn loopscale_2025_unchecked_price_account() {
    let mut w = sol_usdc().await;
    let (lender, attacker) = funded(&mut w).await; // the attacker: 10 SOL deposited
    let eth = w
        .list_market(&token(8, 2_000 * USD), MintExtension::None, |_| {})
        .await
        .unwrap();
    let honest = [100 * USD, USD, 2_000 * USD];
    let sol_lender = w.trader(&[1_000 * SOL, 0, 0]).await;
    w.deposit(&sol_lender, 0, 1_000 * SOL).await.unwrap();
    // a second account: 5 ETH ($10,000) deposited, to borrow SOL
    let short = w.trader(&[0, 0, 500_000_000]).await;
    w.deposit(&short, eth, 500_000_000).await.unwrap();
    let start = net_worth(&mut w, &attacker, &honest).await;
    let sol_px = w.markets[0].price_account;

    // SOL at $10,000 (100x), from: a program that is not the Pyth receiver; the receiver but
    // another feed; the receiver and SOL's feed but partially verified
    let pumped = w.price_spec(0, 10_000 * USD).await;
    let spoofed = PriceSpec {
        owner: Pubkey::new_unique(),
        ..pumped
    };
    let other_feed = PriceSpec {
        feed_id: [0xEE; 32],
        ..pumped
    };
    let partial = PriceSpec {
        verification: VerificationLevel::Partial { num_signatures: 1 },
        ..pumped
    };
    // every market reads one pinned price account: any other account is refused by address
    let cases = [
        (
            fake_price(&mut w, &spoofed),
            KeelError::OraclePriceAccountMismatch,
        ),
        (
            fake_price(&mut w, &other_feed),
            KeelError::OraclePriceAccountMismatch,
        ),
        (
            fake_price(&mut w, &partial),
            KeelError::OraclePriceAccountMismatch,
        ),
        // ETH's genuine price account ($2,000) for the SOL collateral
        (
            w.markets[eth].price_account,
            KeelError::OraclePriceAccountMismatch,
        ),
    ];
    let keys = watched(&w, &[&lender, &attacker, &sol_lender, &short]);
    let before = snapshot(&mut w, &keys).await;
    for (price_account, err) in cases {
        let metas = swap_all(
            w.health_metas(attacker.margin, Some(1)).await,
            sol_px,
            price_account,
        );
        assert_keel_error(
            w.borrow_with(&attacker, 1, 50_000 * USDC, &metas).await,
            err,
        );
    }
    // the debt side: 200 SOL ($20,000) borrowed against $10,000 of ETH, the SOL debt priced by
    // the USDC market's genuine price account ($1)
    let metas = swap_all(
        w.health_metas(short.margin, Some(0)).await,
        sol_px,
        w.markets[1].price_account,
    );
    assert_keel_error(
        w.borrow_with(&short, 0, 200 * SOL, &metas).await,
        KeelError::OraclePriceAccountMismatch,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // behind the pin, the content is checked too: were the pinned account itself to hold a
    // foreign-owned, other-feed or partially verified update, it would be refused as well
    let genuine = w.price_spec(0, 100 * USD).await;
    for (spec, err) in [
        (spoofed, KeelError::OracleWrongOwner),
        (other_feed, KeelError::OracleFeedMismatch),
        (partial, KeelError::OracleNotFullyVerified),
    ] {
        w.write_price(0, &spec);
        assert_keel_error(w.borrow(&attacker, 1, 50_000 * USDC).await, err);
    }
    w.write_price(0, &genuine);

    // with the genuine accounts, the honest bound: 10 SOL back 798.4 USDC
    assert_keel_error(
        w.borrow(&attacker, 1, 799 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    w.borrow(&attacker, 1, 798 * USDC).await.unwrap();
    let end = net_worth(&mut w, &attacker, &honest).await;
    assert!(end <= start, "the attacker gained {} micro-$", end - start);
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
    let slot = w.env.ctx.banks_client.get_root_slot().await.unwrap();
    w.env.ctx.warp_to_slot(slot + 5).unwrap();
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
