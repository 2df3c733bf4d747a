//! Second review (issue 26): a price account that its controller closes, reassigns or fills with
//! a non-positive price must never stop the liquidation of an account whose other prices suffice.
use super::*;
use solana_sdk::account::{AccountSharedData, WritableAccount};

/// SOL with a Switchboard second source, a trader with 10 SOL backing 700 USDC, then SOL at $80
/// on both sources: liquidatable.
async fn underwater_with_second_source() -> (World, Trader) {
    let (mut w, trader) = levered_with_second_source().await;
    w.set_price(0, 80 * USD).await;
    w.set_secondary_price(0, 80 * USD).await;
    (w, trader)
}

/// Issue 26, medium: the second feed's authority closed it (or it was reassigned to another
/// program), and every instruction pricing SOL failed with OracleWrongOwner: liquidation
/// included, until a timelocked config change.
#[tokio::test]
async fn a_closed_second_feed_cannot_stop_liquidations() {
    let (mut w, trader) = underwater_with_second_source().await;
    let feed = w.markets[0].secondary.unwrap().0;
    // reassigned: the same bytes, another owner
    let mut moved = AccountSharedData::from(w.env.account(feed).await.unwrap());
    moved.set_owner(Pubkey::new_unique());
    w.env.set_account(&feed, &moved);
    let report = w
        .health(trader.margin)
        .await
        .expect("health with a reassigned feed");
    assert!(report.liquidatable);
    // closed: no account at all
    w.env.set_account(&feed, &AccountSharedData::default());
    let liquidator = liquidator(&mut w).await;
    w.liquidate(&liquidator, trader.margin, 1, 0, 100 * USDC)
        .await
        .expect("a closed second feed stopped a liquidation");
    check(&mut w).await;
}

/// Issue 26, medium: the same for the primary: a collateral-only market whose Pyth account was
/// closed, or holds a non-positive price, stopped the liquidation of an account that is
/// liquidatable on its other prices.
#[tokio::test]
async fn a_closed_or_non_positive_pyth_account_cannot_stop_liquidations() {
    let mut w = three_markets().await;
    let lender = w.trader(&[0, 100_000 * USDC, 0]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0, 10 * USDC]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.deposit(&trader, 2, 10 * USDC).await.unwrap();
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    w.set_price(0, 80 * USD).await;
    let third = w.markets[2].price_account;
    let mut spec = w.price_spec(2, USD).await;
    spec.price = 0;
    write_price(&mut w.env, third, &spec);
    let liquidator = liquidator(&mut w).await;
    w.liquidate(&liquidator, trader.margin, 1, 0, 50 * USDC)
        .await
        .expect("a non-positive Pyth price on another market stopped a liquidation");
    w.env.set_account(&third, &AccountSharedData::default());
    w.liquidate(&liquidator, trader.margin, 1, 0, 50 * USDC)
        .await
        .expect("a closed Pyth account on another market stopped a liquidation");
    check(&mut w).await;
}
