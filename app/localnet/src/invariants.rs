//! The design guide's invariants, checked over a whole `World` after every scenario.
//!
//! 1. Each vault holds at least what the books say: `vault >= deposits - debt + insurance fund`
//!    (compared exactly, as Wads: `vault + debt >= deposits + insurance`).
//! 2. The positions' deposit (borrow) shares sum to the market's total deposit (borrow) shares;
//!    their provisions to the market's (risk/provision.rs), and only a debt carries one.
//! 3. Round trips never profit the user: proptests in `math/shares.rs` and runtime tests.
//! 4. Indices never decrease, except the deposit index by a recorded socialisation of bad debt
//!    (`market.bad_debt_socialised` grew since the last check).
//! 5. Borrow and withdraw never leave `C_init < D_init`: `assert_initial_health` after each one.
//!
//! Plus: no market has a flash loan out between transactions. And the margin accounts' own shape: packed positions, no duplicate market, no empty position,
//! no position both lending and borrowing, every market in the account's pool. And the embedded
//! chain's own: its index of Keel's accounts (what program-account queries answer from) is the
//! bank's scan, key for key and byte for byte.
use crate::tokens::balance;
use crate::world::World;
use anchor_lang::prelude::Pubkey;
use keel::math::fixed::{Wad, WAD};

/// Fail with a message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Check every invariant; panics with the one that fails.
pub async fn check(world: &mut World) {
    if let Err(broken) = verify(world).await {
        panic!("invariant broken: {broken}");
    }
}

/// Check every invariant; the first that fails, as a message.
pub async fn verify(world: &mut World) -> Result<(), String> {
    let ledger = &world.env.ledger;
    ensure!(
        ledger.keel_accounts() == ledger.scan_keel_accounts(),
        "the ledger's index of Keel accounts differs from the bank's scan"
    );
    // each account's count of open orders is the number of order accounts naming it
    let mut orders: Vec<(Pubkey, u8)> = vec![];
    for (key, raw) in ledger.keel_accounts() {
        if let Ok(order) = keel_sdk::decode::order(&raw.data) {
            ensure!(order.pool == world.pool, "order {key}: wrong pool");
            match orders.iter_mut().find(|(a, _)| *a == order.margin_account) {
                Some((_, n)) => *n += 1,
                None => orders.push((order.margin_account, 1)),
            }
        }
    }
    let mut deposit_sums = vec![0u128; world.markets.len()];
    let mut borrow_sums = vec![0u128; world.markets.len()];
    let mut provision_sums = vec![0u128; world.markets.len()];
    let accounts = world.accounts.clone();
    for key in accounts {
        let Some(raw) = world.env.account(key).await else {
            continue; // closed
        };
        let account =
            keel_sdk::decode::margin_account(&raw.data).map_err(|e| format!("{key}: {e:?}"))?;
        ensure!(account.pool == world.pool, "{key}: wrong pool");
        let posted = orders
            .iter()
            .find(|(a, _)| *a == key)
            .map_or(0, |(_, n)| *n);
        ensure!(
            account.open_orders == posted,
            "{key}: {} open orders counted, {posted} order accounts",
            account.open_orders
        );
        let active = account.active();
        ensure!(
            active.len() <= keel::constants::MAX_POSITIONS,
            "{key}: too many positions"
        );
        for (i, p) in active.iter().enumerate() {
            let m = world
                .market_index(&p.market)
                .ok_or_else(|| format!("{key}: position {i} in unknown market {}", p.market))?;
            ensure!(
                p.deposit_shares > 0 || p.borrow_shares > 0,
                "{key}: empty position {i} not removed"
            );
            ensure!(
                p.deposit_shares == 0 || p.borrow_shares == 0,
                "{key}: position {i} both lends and borrows"
            );
            ensure!(
                active[..i].iter().all(|q| q.market != p.market),
                "{key}: duplicate market"
            );
            ensure!(
                p.provisioned == 0 || p.borrow_shares > 0,
                "{key}: position {i} provisions a loss without debt"
            );
            deposit_sums[m] += p.deposit_shares as u128;
            borrow_sums[m] += p.borrow_shares as u128;
            provision_sums[m] += p.provisioned as u128;
        }
        for p in &account.positions[active.len()..] {
            ensure!(
                p.market == Pubkey::default(),
                "{key}: stale slot past the count"
            );
        }
    }
    for m in 0..world.markets.len() {
        let market = world.market(m).await;
        let vault = balance(
            &mut world.env,
            keel_sdk::pda::vault(&world.markets[m].keys.market),
        )
        .await;
        // 2
        ensure!(
            market.total_deposit_shares == deposit_sums[m],
            "market {m}: deposit shares"
        );
        ensure!(
            market.total_borrow_shares == borrow_sums[m],
            "market {m}: borrow shares"
        );
        ensure!(
            market.provisioned as u128 == provision_sums[m],
            "market {m}: provisions {} against the positions' {}",
            market.provisioned,
            provision_sums[m]
        );
        // a flash loan lives within one transaction (instructions/flash/): none is ever out
        // between transactions
        ensure!(
            !market.flash_loan.is_open(),
            "market {m}: a flash loan outlived its transaction: {:?}",
            market.flash_loan
        );
        // 1
        let deposits = market.total_deposits().map_err(|e| e.to_string())?;
        let debt = market.total_debt().map_err(|e| e.to_string())?;
        let held = Wad(vault as u128 * WAD)
            .try_add(debt)
            .map_err(|e| e.to_string())?;
        let owed = deposits
            .try_add(market.insurance_fund)
            .map_err(|e| e.to_string())?;
        ensure!(
            held >= owed,
            "market {m}: vault {vault} + debt {debt:?} < deposits {deposits:?} + insurance {:?}",
            market.insurance_fund
        );
        // 4
        let (d, b, socialised) = world.last_indices[m];
        ensure!(
            market.deposit_index.0 >= d || market.bad_debt_socialised.0 > socialised,
            "market {m}: deposit index fell without a recorded socialisation"
        );
        ensure!(market.borrow_index.0 >= b, "market {m}: borrow index fell");
        world.last_indices[m] = (
            market.deposit_index.0,
            market.borrow_index.0,
            market.bad_debt_socialised.0,
        );
    }
    Ok(())
}

/// Invariant 5 for one account right after a borrow or withdraw: the program's own health report
/// must show the initial requirement met.
pub async fn assert_initial_health(world: &mut World, margin: Pubkey) {
    let report = world.health(margin).await.expect("health report");
    assert!(
        report.meets_initial,
        "{margin}: C_init {:?} < D_init {:?} after borrow/withdraw",
        report.collateral_init, report.debt_init
    );
}
