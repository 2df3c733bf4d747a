//! Economic review (issue 27): rules that paid the wrong party, each as the attack it describes.
//! Every test was first run against the unfixed program and seen to fail (the attack paid).
pub(crate) use super::*;

mod bonus;
mod held;
mod insurance;
mod liquidity;
pub(crate) use liquidity::next_slot;
mod listing;
mod orders;
mod provision;

/// SOL, USDC and a third $1 market: a lender of 100,000 USDC, and a trader with 10 SOL and 1,000
/// units of the third market backing 1,200 USDC (maintenance: 1,700 against 1,200).
pub(crate) async fn two_collaterals() -> (World, Trader) {
    let mut w = three_markets().await;
    let lender = w.trader(&[0, 100_000 * USDC, 0]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0, 1_000 * USDC]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.deposit(&trader, 2, 1_000 * USDC).await.unwrap();
    w.borrow(&trader, 1, 1_200 * USDC).await.unwrap();
    (w, trader)
}

/// A lender of 100,000 USDC and a trader with 10 SOL against 790 USDC.
pub(crate) async fn levered(w: &mut World) -> Trader {
    crate::liquidation::leveraged(w, 790 * USDC).await.1
}

/// Zero-confidence prices: SOL at `sol` (mantissa), USDC at $1.
pub(crate) async fn exact_prices(w: &mut World, sol: i64) {
    for (m, price) in [(0usize, sol), (1, USD)] {
        let spec = PriceSpec {
            conf: 0,
            ema_conf: 0,
            ..w.price_spec(m, price).await
        };
        w.write_price(m, &spec);
    }
}

/// The bonus a liquidation paid, in USD at `price` (SOL mantissa, 8 decimals).
pub(crate) fn bonus_usd(event: &Liquidated, price: i64) -> u128 {
    event.bonus as u128 * price as u128 / SOL as u128
}
