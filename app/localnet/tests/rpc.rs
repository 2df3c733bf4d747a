//! The JSON-RPC endpoint over HTTP, through the real Solana client (`solana-rpc-client`, which
//! must decode every answer) and the SDK's `RpcChain` (what the CLI and the bot use on a cluster):
//! reads, program-account queries with filters, an airdrop, a real Keel deposit, and a refused
//! borrow that comes back as its Keel error.
use anchor_lang::prelude::Pubkey;
use keel::errors::KeelError;
use keel_localnet::rpc::LocalRpc;
use keel_localnet::tokens::spl_token;
use keel_localnet::world::USD;
use keel_localnet::{MarketSpec, World};
use keel_sdk::chain::{filters, Chain, RpcChain};
use keel_sdk::instructions as kix;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::signature::{Keypair, Signer};

const SOL: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;

/// `ix` in a transaction paid and signed by `key` on the endpoint's latest blockhash.
async fn signed_by(
    client: &RpcClient,
    key: &Keypair,
    ix: solana_sdk::instruction::Instruction,
) -> solana_sdk::transaction::Transaction {
    let blockhash = client.get_latest_blockhash().await.unwrap();
    solana_sdk::transaction::Transaction::new_signed_with_payer(
        &[ix],
        Some(&key.pubkey()),
        &[key],
        blockhash,
    )
}

/// A SOL/USDC world and an endpoint over its ledger, with a Solana client of it.
async fn world_and_endpoint() -> (World, LocalRpc, RpcClient) {
    let w = World::new(&[
        MarketSpec {
            token_program: spl_token(),
            decimals: 9,
            price: 100 * USD,
        },
        MarketSpec {
            token_program: spl_token(),
            decimals: 6,
            price: USD,
        },
    ])
    .await;
    let rpc = LocalRpc::start(w.env.ledger.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = RpcClient::new(rpc.url());
    (w, rpc, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_solana_client_and_the_sdk_work_over_http() {
    let (mut w, rpc, client) = world_and_endpoint().await;

    // reads, decoded by the Solana client
    let pool = client.get_account(&w.pool).await.unwrap();
    assert_eq!(pool.owner, keel::ID);
    assert_eq!(pool.data, w.env.account(w.pool).await.unwrap().data);
    client.get_latest_blockhash().await.unwrap();
    client.get_version().await.unwrap();
    client.get_health().await.unwrap();
    assert!(client.get_slot().await.unwrap() >= 1);
    assert!(
        client
            .get_minimum_balance_for_rent_exemption(100)
            .await
            .unwrap()
            > 0
    );
    let some = client
        .get_multiple_accounts(&[w.pool, Pubkey::new_unique()])
        .await
        .unwrap();
    assert!(some[0].is_some() && some[1].is_none());

    // an airdrop lands as a real transfer, and its status is final
    let wallet = Keypair::new();
    let sig = client.request_airdrop(&wallet.pubkey(), SOL).await.unwrap();
    assert!(client.confirm_transaction(&sig).await.unwrap());
    assert_eq!(client.get_balance(&wallet.pubkey()).await.unwrap(), SOL);

    // the SDK's RpcChain: filtered program-account queries, a deposit, a refused borrow
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0]).await;
    // the trader pays its own fees here: lamports from the faucet
    let sig = client
        .request_airdrop(&trader.key.pubkey(), SOL)
        .await
        .unwrap();
    assert!(client.confirm_transaction(&sig).await.unwrap());
    let chain = RpcChain::new(&rpc.url(), trader.key.insecure_clone());
    let markets = chain
        .program_accounts(&filters::markets(&w.pool))
        .await
        .unwrap();
    assert_eq!(markets.len(), 2);
    let margins = chain
        .program_accounts(&filters::margin_accounts(&w.pool))
        .await
        .unwrap();
    assert_eq!(margins.len(), 2, "the lender's and the trader's");
    let keys = w.markets[0].keys;
    let deposit = kix::deposit(
        trader.key.pubkey(),
        trader.margin,
        &keys,
        trader.tokens[0],
        10 * SOL,
    );
    chain.send(&[deposit], &[], 200_000).await.unwrap();
    let balance = client
        .get_token_account_balance(&trader.tokens[0])
        .await
        .unwrap();
    assert_eq!(balance.amount, "0");
    // 10 SOL back 798.4 USDC: 900 is refused, with the program's own error
    let metas = w.health_metas(trader.margin, Some(1)).await;
    let borrow = kix::borrow(
        trader.key.pubkey(),
        trader.margin,
        &w.markets[1].keys,
        trader.tokens[1],
        900 * USDC,
        &metas,
    );
    let refused = chain.send(&[borrow], &[], 400_000).await.unwrap_err();
    let code: u32 = KeelError::InitialHealthViolated.into();
    assert_eq!(refused.custom_code(), Some(code), "{refused:?}");
    rpc.stop().await;
}

/// Every method the endpoint serves, through the Solana client's typed calls (each must decode),
/// with what it says checked against the bank: `getTransaction` of a landed and of a failed
/// transaction (logs, fee, balances, error), `getFeeForMessage`, a failing simulation's logs,
/// `health`'s return data with the program that set it.
#[tokio::test(flavor = "multi_thread")]
async fn every_method_answers_in_the_shape_the_solana_client_decodes() {
    use solana_client::rpc_config::RpcSendTransactionConfig;
    use solana_sdk::message::Message;
    use solana_sdk::transaction::Transaction;
    use solana_transaction_status_client_types::option_serializer::OptionSerializer;
    use solana_transaction_status_client_types::UiTransactionEncoding;
    let (mut w, rpc, client) = world_and_endpoint().await;
    let slot = client.get_slot().await.unwrap();
    assert!(client.get_block_height().await.unwrap() <= slot);
    assert_eq!(client.get_epoch_info().await.unwrap().absolute_slot, slot);
    client.get_genesis_hash().await.unwrap();
    let blockhash = client.get_latest_blockhash().await.unwrap();
    assert!(client
        .is_blockhash_valid(&blockhash, Default::default())
        .await
        .unwrap());

    let trader = w.trader(&[10 * SOL, 0]).await;
    let sig = client
        .request_airdrop(&trader.key.pubkey(), SOL)
        .await
        .unwrap();
    assert!(client.confirm_transaction(&sig).await.unwrap());
    let deposit = kix::deposit(
        trader.key.pubkey(),
        trader.margin,
        &w.markets[0].keys,
        trader.tokens[0],
        SOL,
    );
    let message = Message::new_with_blockhash(
        std::slice::from_ref(&deposit),
        Some(&trader.key.pubkey()),
        &blockhash,
    );
    assert_eq!(
        client.get_fee_for_message(&message).await.unwrap(),
        5_000,
        "one signature at the bank's 5,000 lamports"
    );
    let tx = Transaction::new(&[&trader.key], message, blockhash);
    let before = client.get_balance(&trader.key.pubkey()).await.unwrap();
    let sig = client.send_and_confirm_transaction(&tx).await.unwrap();
    let landed = client
        .get_transaction(&sig, UiTransactionEncoding::Base64)
        .await
        .unwrap();
    let meta = landed.transaction.meta.unwrap();
    assert!(meta.err.is_none());
    assert_eq!(meta.fee, 5_000);
    assert_eq!(meta.pre_balances[0], before);
    assert_eq!(meta.post_balances[0], before - 5_000);
    let OptionSerializer::Some(logs) = meta.log_messages else {
        panic!("logs")
    };
    // the program's invocation and its Deposited event
    assert!(
        logs.iter().any(|l| l.contains("Program data: ")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|l| l.contains(&keel::ID.to_string())),
        "{logs:?}"
    );
    assert_eq!(
        landed.transaction.transaction.decode().unwrap().signatures[0],
        sig
    );

    // a transaction that fails in the program, sent without preflight: committed (the fee paid),
    // its error and logs in getTransaction; the same simulated: its logs too
    let too_much = kix::deposit(
        trader.key.pubkey(),
        trader.margin,
        &w.markets[0].keys,
        trader.tokens[0],
        100 * SOL,
    );
    let tx = signed_by(&client, &trader.key, too_much).await;
    let sim = client.simulate_transaction(&tx).await.unwrap().value;
    assert!(sim.err.is_some());
    assert!(
        !sim.logs.unwrap().is_empty(),
        "a failed simulation keeps its logs"
    );
    let config = RpcSendTransactionConfig {
        skip_preflight: true,
        ..Default::default()
    };
    let sig = client
        .send_transaction_with_config(&tx, config)
        .await
        .unwrap();
    let statuses = client.get_signature_statuses(&[sig]).await.unwrap().value;
    assert!(statuses[0].as_ref().unwrap().err.is_some());
    let failed = client
        .get_transaction(&sig, UiTransactionEncoding::Base64)
        .await
        .unwrap();
    let meta = failed.transaction.meta.unwrap();
    assert!(meta.err.is_some());
    assert_eq!(meta.fee, 5_000, "a failed transaction still pays its fee");
    let OptionSerializer::Some(logs) = meta.log_messages else {
        panic!("logs")
    };
    assert!(logs.iter().any(|l| l.contains("failed")), "{logs:?}");

    // the health report's return data names the program that set it
    let metas = w.health_metas(trader.margin, None).await;
    let health = kix::health(trader.margin, &metas);
    let tx = signed_by(&client, &trader.key, health).await;
    let sim = client.simulate_transaction(&tx).await.unwrap().value;
    assert!(sim.err.is_none(), "{sim:?}");
    assert_eq!(sim.return_data.unwrap().program_id, keel::ID.to_string());
    rpc.stop().await;
}
