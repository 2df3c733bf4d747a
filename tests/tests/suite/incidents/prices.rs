//! Incidents of manipulated or chosen prices.
use super::*;

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
    // 10,000 * ($1.10 - $0.0011) = $10,989, and the 94.5% spot-EMA gap cuts the initial weight
    // by the volatility margin's 10% cap: $10,989 * 72% = $7,912.08, i.e. 7,904.2 USDC at $1.001
    w.write_price(thin, &pumped);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 7_905 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&attacker, 1, 7_904 * USDC).await.unwrap();
    assert_initial_health(&mut w, attacker.margin).await;

    // the price returns to $1. Without the volatility margin the EMA's bound (8,782 USDC) left
    // the account under water at maintenance, to be liquidated; with it the loan stays inside
    // the honest maintenance bound (10,000 * $0.999 * 85% = $8,491.5): healthy, fully backed
    w.set_price(thin, USD).await;
    let after = w.health(attacker.margin).await.unwrap();
    assert!(!after.liquidatable, "{after:?}");
    assert!(
        after.collateral_value > after.debt_value,
        "the debt is backed at the honest price: {after:?}"
    );
    assert_eq!(w.market(1).await.bad_debt_socialised, Wad::ZERO);
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

    // the spike with a tight confidence: the EMA still says $1, so the honest bound, cut by the
    // volatility margin's 10% cap (the spot-EMA gap is 87.5%): 100,000 * $0.999 * 72% = $71,928,
    // i.e. 71,856.1 USDC
    w.write_price(usdh, &spike);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&attacker, 1, 71_857 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&attacker, 1, 71_856 * USDC).await.unwrap();

    // the spike ends: the loan was an honest one, healthy at $1, and gained the attacker nothing
    w.set_price(usdh, USD).await;
    let report = w.health(attacker.margin).await.unwrap();
    assert!(report.meets_initial && !report.liquidatable, "{report:?}");
    let end = net_worth(&mut w, &attacker, &honest).await;
    assert!(end <= start, "the attacker gained {} micro-$", end - start);
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
