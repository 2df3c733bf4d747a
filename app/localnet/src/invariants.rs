//! The design guide's invariants, checked over a whole `World` after every scenario.
//!
//! 1. Each vault holds at least what the books say: `vault >= deposits - debt + insurance fund`
//!    (compared exactly, as Wads: `vault + debt >= deposits + insurance`).
//! 2. The positions' deposit (borrow) shares sum to the market's total deposit (borrow) shares.
//! 3. Round trips never profit the user: proptests in `math/shares.rs` and runtime tests.
//! 4. Indices never decrease, except the deposit index by a recorded socialisation of bad debt
//!    (`market.bad_debt_socialised` grew since the last check).
//! 5. Borrow and withdraw never leave `C_init < D_init`: `assert_initial_health` after each one.
//!
//! Plus the margin accounts' own shape: packed positions, no duplicate market, no empty position,
//! no position both lending and borrowing, every market in the account's pool.
use crate::tokens::balance;
use crate::world::World;
use anchor_lang::prelude::Pubkey;
use keel::math::fixed::{Wad, WAD};

/// Check every invariant; panics with the one that fails.
pub async fn check(world: &mut World) {
    let mut deposit_sums = vec![0u128; world.markets.len()];
    let mut borrow_sums = vec![0u128; world.markets.len()];
    let accounts = world.accounts.clone();
    for key in accounts {
        let Some(raw) = world.env.account(key).await else {
            continue; // closed
        };
        let account = keel_sdk::decode::margin_account(&raw.data).unwrap();
        assert_eq!(account.pool, world.pool, "{key}: wrong pool");
        let active = account.active();
        assert!(active.len() <= keel::constants::MAX_POSITIONS);
        for (i, p) in active.iter().enumerate() {
            let m = world
                .markets
                .iter()
                .position(|f| f.keys.market == p.market)
                .unwrap_or_else(|| panic!("{key}: position {i} in unknown market {}", p.market));
            assert!(
                p.deposit_shares > 0 || p.borrow_shares > 0,
                "{key}: empty position {i} not removed"
            );
            assert!(
                p.deposit_shares == 0 || p.borrow_shares == 0,
                "{key}: position {i} both lends and borrows"
            );
            assert!(
                active[..i].iter().all(|q| q.market != p.market),
                "{key}: duplicate market"
            );
            deposit_sums[m] += p.deposit_shares as u128;
            borrow_sums[m] += p.borrow_shares as u128;
        }
        for p in &account.positions[active.len()..] {
            assert_eq!(
                p.market,
                Pubkey::default(),
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
        assert_eq!(
            market.total_deposit_shares, deposit_sums[m],
            "market {m}: deposit shares"
        );
        assert_eq!(
            market.total_borrow_shares, borrow_sums[m],
            "market {m}: borrow shares"
        );
        // 1
        let deposits = market.total_deposits().unwrap();
        let debt = market.total_debt().unwrap();
        let held = Wad(vault as u128 * WAD).try_add(debt).unwrap();
        let owed = deposits.try_add(market.insurance_fund).unwrap();
        assert!(
            held >= owed,
            "market {m}: vault {vault} + debt {debt:?} < deposits {deposits:?} + insurance {:?}",
            market.insurance_fund
        );
        // 4
        let (d, b, socialised) = world.last_indices[m];
        assert!(
            market.deposit_index.0 >= d || market.bad_debt_socialised.0 > socialised,
            "market {m}: deposit index fell without a recorded socialisation"
        );
        assert!(market.borrow_index.0 >= b, "market {m}: borrow index fell");
        world.last_indices[m] = (
            market.deposit_index.0,
            market.borrow_index.0,
            market.bad_debt_socialised.0,
        );
    }
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
