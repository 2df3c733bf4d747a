//! A Solana JSON-RPC endpoint over the embedded ledger (`keel localnet`): the methods the SDK's
//! `RpcChain`, the CLI, the bot and a wallet need, served by jsonrpsee with the Solana RPC types
//! (`solana-rpc-client-types`, `solana-account-decoder`), so `solana-rpc-client` decodes every
//! answer. Transactions land in the same bank the simulator and the suite use.
//!
//! ```text
//! reads          getAccountInfo getMultipleAccounts getProgramAccounts (memcmp, dataSize)
//!                getBalance getTokenAccountBalance getSlot getBlockHeight getEpochInfo
//!                getMinimumBalanceForRentExemption getLatestBlockhash isBlockhashValid
//!                getVersion getHealth getGenesisHash
//! transactions   sendTransaction (preflight unless skipped) simulateTransaction
//!                getSignatureStatuses getTransaction (logs, fee, balances) getFeeForMessage
//!                requestAirdrop
//! keel_*         methods a caller of `start_with` adds (`keel localnet`: prices, test tokens)
//! commitment     every landed transaction is final at once (one bank, no forks)
//! ```
mod methods;
mod transactions;

use crate::bank::Ledger;
use jsonrpsee::server::{Server, ServerHandle};
use jsonrpsee::RpcModule;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::TransactionError;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// JSON-RPC "invalid params" (-32602) with `msg`: what every method of the endpoint, and the
/// methods a caller adds with `LocalRpc::start_with`, answer a bad request with.
pub fn invalid(msg: impl Into<String>) -> jsonrpsee::types::ErrorObjectOwned {
    jsonrpsee::types::ErrorObjectOwned::owned(-32602, msg.into(), None::<()>)
}

/// A landed transaction, as `getSignatureStatuses` and `getTransaction` report it.
#[derive(Debug)]
pub(crate) struct Landed {
    slot: u64,
    err: Option<TransactionError>,
    outcome: crate::bank::TxOutcome,
    fee: u64,
    /// Lamports of its static accounts before and after.
    balances: (Vec<u64>, Vec<u64>),
    transaction: solana_sdk::transaction::VersionedTransaction,
    block_time: i64,
}

/// What every method reads: the ledger and the signatures it has landed.
pub(crate) struct RpcState {
    ledger: Arc<Ledger>,
    landed: Mutex<HashMap<Signature, Landed>>,
}

/// A running endpoint; dropping it stops the server.
pub struct LocalRpc {
    addr: SocketAddr,
    handle: ServerHandle,
}

impl LocalRpc {
    /// Serve `ledger` on `addr` (port 0: any free port).
    pub async fn start(ledger: Arc<Ledger>, addr: SocketAddr) -> Result<LocalRpc, String> {
        Self::start_with(ledger, addr, jsonrpsee::Methods::new()).await
    }

    /// Serve `ledger` on `addr` with `extra` methods beside the Solana ones.
    pub async fn start_with(
        ledger: Arc<Ledger>,
        addr: SocketAddr,
        extra: jsonrpsee::Methods,
    ) -> Result<LocalRpc, String> {
        let state = RpcState {
            ledger,
            landed: Mutex::new(HashMap::new()),
        };
        let mut module = RpcModule::new(state);
        methods::register(&mut module).map_err(|e| format!("registering methods: {e}"))?;
        module
            .merge(extra)
            .map_err(|e| format!("registering extra methods: {e}"))?;
        let server = Server::builder()
            .build(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = server
            .local_addr()
            .map_err(|e| format!("no local address: {e}"))?;
        let handle = server.start(module);
        Ok(LocalRpc { addr, handle })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its URL, for `RpcClient::new`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop serving and wait until the server has stopped.
    pub async fn stop(self) {
        let _ = self.handle.stop();
        self.handle.stopped().await;
    }
}
