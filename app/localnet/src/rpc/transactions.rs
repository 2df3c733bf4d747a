//! The endpoint's transaction methods: sending (with preflight), simulating, statuses, airdrops,
//! `getTransaction` with its logs and balances, and `getFeeForMessage`.
//!
//! ```text
//! a transaction that fails in a program is committed, as on a cluster: its fee is paid and
//! `getTransaction` shows its error and logs; one that cannot be committed (a bad signature, an
//! unknown blockhash) is refused by sendTransaction
//! ```
use super::methods::{pubkey, with_context, RpcResult};
use super::{invalid, Landed, RpcState};
use base64::Engine;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use solana_rpc_client_types::config::{
    RpcSendTransactionConfig, RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_types::response::RpcSimulateTransactionResult;
use solana_sdk::message::VersionedMessage;
use solana_sdk::signature::{Signature, Signer};
use solana_sdk::transaction::{Transaction, VersionedTransaction};
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, TransactionBinaryEncoding, TransactionConfirmationStatus,
    TransactionStatus, UiReturnDataEncoding, UiTransactionEncoding, UiTransactionReturnData,
    UiTransactionStatusMeta,
};
use std::str::FromStr;

/// What a validator answers when preflight fails: the simulation, for the client to decode.
const PREFLIGHT_FAILURE: i32 = -32002;

/// Bytes from their wire form.
fn decode_bytes(data: &str, encoding: Option<UiTransactionEncoding>) -> RpcResult<Vec<u8>> {
    match encoding.unwrap_or(UiTransactionEncoding::Base58) {
        UiTransactionEncoding::Base58 => bs58::decode(data).into_vec().ok(),
        UiTransactionEncoding::Base64 => {
            base64::engine::general_purpose::STANDARD.decode(data).ok()
        }
        other => return Err(invalid(format!("unsupported encoding: {other}"))),
    }
    .ok_or_else(|| invalid("data is not valid base58/base64"))
}

/// A transaction from its wire form.
fn decode_transaction(
    data: &str,
    encoding: Option<UiTransactionEncoding>,
) -> RpcResult<VersionedTransaction> {
    let bytes = decode_bytes(data, encoding)?;
    bincode::deserialize(&bytes).map_err(|e| invalid(format!("failed to deserialize: {e}")))
}

/// The first signature of `tx`.
fn signature_of(tx: &VersionedTransaction) -> RpcResult<Signature> {
    tx.signatures
        .first()
        .copied()
        .ok_or_else(|| invalid("transaction has no signature"))
}

/// Lamports of each static account of `tx`, now.
fn balances(state: &RpcState, tx: &VersionedTransaction) -> Vec<u64> {
    tx.message
        .static_account_keys()
        .iter()
        .map(|k| state.ledger.account(k).map_or(0, |a| a.lamports))
        .collect()
}

/// Commit `tx` and remember what it did; refused only when it cannot be committed.
fn land(state: &RpcState, tx: VersionedTransaction) -> RpcResult<Signature> {
    let signature = signature_of(&tx)?;
    let slot = state.ledger.bank().slot();
    let pre_balances = balances(state, &tx);
    let committed = state
        .ledger
        .commit(tx.clone())
        .map_err(|e| invalid(format!("transaction refused: {e}")))?;
    let post_balances = balances(state, &tx);
    let block_time = state.ledger.bank().clock().unix_timestamp;
    state.landed.lock().expect("status map").insert(
        signature,
        Landed {
            slot,
            err: committed.status.err(),
            outcome: committed.outcome,
            fee: committed.fee,
            balances: (pre_balances, post_balances),
            transaction: tx,
            block_time,
        },
    );
    Ok(signature)
}

fn return_data(
    program: Option<solana_sdk::pubkey::Pubkey>,
    data: Option<Vec<u8>>,
) -> Option<UiTransactionReturnData> {
    Some(UiTransactionReturnData {
        program_id: program?.to_string(),
        data: (
            base64::engine::general_purpose::STANDARD.encode(data?),
            UiReturnDataEncoding::Base64,
        ),
    })
}

/// A landed transaction in the shape `getTransaction` answers (base64).
fn encoded(landed: &Landed) -> EncodedConfirmedTransactionWithStatusMeta {
    let o = &landed.outcome;
    let err = landed.err.clone().map(Into::into);
    let meta = UiTransactionStatusMeta {
        err: err.clone(),
        status: err.map_or(Ok(()), Err),
        fee: landed.fee,
        pre_balances: landed.balances.0.clone(),
        post_balances: landed.balances.1.clone(),
        inner_instructions: OptionSerializer::None,
        log_messages: OptionSerializer::Some(o.logs.clone()),
        pre_token_balances: OptionSerializer::None,
        post_token_balances: OptionSerializer::None,
        rewards: OptionSerializer::None,
        loaded_addresses: OptionSerializer::Skip,
        return_data: return_data(o.return_program, o.return_data.clone()).into(),
        compute_units_consumed: OptionSerializer::Some(o.compute_units),
        cost_units: OptionSerializer::Skip,
    };
    let bytes = bincode::serialize(&landed.transaction).unwrap_or_default();
    EncodedConfirmedTransactionWithStatusMeta {
        slot: landed.slot,
        transaction: EncodedTransactionWithStatusMeta {
            transaction: EncodedTransaction::Binary(
                base64::engine::general_purpose::STANDARD.encode(bytes),
                TransactionBinaryEncoding::Base64,
            ),
            meta: Some(meta),
            version: Some(landed.transaction.version()),
        },
        block_time: Some(landed.block_time),
    }
}

/// A simulation of `tx` in the shape a validator answers, with its logs even when it fails.
fn simulate(state: &RpcState, tx: VersionedTransaction) -> RpcSimulateTransactionResult {
    let (err, logs, units, ret) = match state.ledger.simulate_detailed(tx) {
        Ok(s) => (
            s.status.err().map(Into::into),
            s.outcome.logs,
            s.outcome.compute_units,
            return_data(s.outcome.return_program, s.outcome.return_data),
        ),
        Err(e) => (Some(e.into()), vec![], 0, None),
    };
    RpcSimulateTransactionResult {
        err,
        logs: Some(logs),
        accounts: None,
        units_consumed: Some(units),
        loaded_accounts_data_size: None,
        return_data: ret,
        inner_instructions: None,
        replacement_blockhash: None,
        fee: None,
        pre_balances: None,
        post_balances: None,
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: None,
    }
}

/// Register the transaction methods on `module`.
pub(super) fn register(
    module: &mut RpcModule<RpcState>,
) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("simulateTransaction", |p: Params, s, _| {
        let mut seq = p.sequence();
        let data: String = seq.next()?;
        let config: RpcSimulateTransactionConfig = seq.optional_next()?.unwrap_or_default();
        let tx = decode_transaction(&data, config.encoding)?;
        Ok::<_, ErrorObjectOwned>(with_context(s, simulate(s, tx)))
    })?;
    module.register_method("sendTransaction", |p: Params, s, _| {
        let mut seq = p.sequence();
        let data: String = seq.next()?;
        let config: RpcSendTransactionConfig = seq.optional_next()?.unwrap_or_default();
        let tx = decode_transaction(&data, config.encoding)?;
        if !config.skip_preflight {
            let sim = simulate(s, tx.clone());
            if let Some(err) = &sim.err {
                return Err(ErrorObjectOwned::owned(
                    PREFLIGHT_FAILURE,
                    format!("Transaction simulation failed: {err}"),
                    Some(sim),
                ));
            }
        }
        Ok(land(s, tx)?.to_string())
    })?;
    module.register_method("getSignatureStatuses", |p: Params, s, _| {
        let mut seq = p.sequence();
        let signatures: Vec<String> = seq.next()?;
        let landed = s.landed.lock().expect("status map");
        let mut out = Vec::with_capacity(signatures.len());
        for sig in &signatures {
            let sig = Signature::from_str(sig).map_err(|_| invalid("invalid signature"))?;
            out.push(landed.get(&sig).map(|l| TransactionStatus {
                slot: l.slot,
                confirmations: None,
                status: l.err.clone().map_or(Ok(()), Err),
                err: l.err.clone(),
                confirmation_status: Some(TransactionConfirmationStatus::Finalized),
            }));
        }
        drop(landed);
        Ok::<_, ErrorObjectOwned>(with_context(s, out))
    })?;
    module.register_method("getTransaction", |p: Params, s, _| {
        let mut seq = p.sequence();
        let sig: String = seq.next()?;
        let _config: Option<RpcTransactionConfig> = seq.optional_next().ok().flatten();
        let sig = Signature::from_str(&sig).map_err(|_| invalid("invalid signature"))?;
        let landed = s.landed.lock().expect("status map");
        // as JSON: the status types are not Clone, which jsonrpsee's responses need
        serde_json::to_value(landed.get(&sig).map(encoded))
            .map_err(|e| invalid(format!("encoding the transaction: {e}")))
    })?;
    module.register_method("getFeeForMessage", |p: Params, s, _| {
        let mut seq = p.sequence();
        let data: String = seq.next()?;
        let bytes = decode_bytes(&data, Some(UiTransactionEncoding::Base64))?;
        let message: VersionedMessage = bincode::deserialize(&bytes)
            .map_err(|e| invalid(format!("failed to deserialize message: {e}")))?;
        let bank = s.ledger.bank();
        let valid = bank.is_blockhash_valid(message.recent_blockhash());
        let signatures = message.header().num_required_signatures as u64;
        let fee = valid.then(|| signatures * bank.get_lamports_per_signature());
        Ok::<_, ErrorObjectOwned>(with_context(s, fee))
    })?;
    module.register_method("requestAirdrop", |p: Params, s, _| {
        let mut seq = p.sequence();
        let to = pubkey(&seq.next::<String>()?)?;
        let lamports: u64 = seq.next()?;
        let faucet = s.ledger.mint();
        let ix = solana_system_interface::instruction::transfer(&faucet.pubkey(), &to, lamports);
        let tx = Transaction::new_signed_with_payer(
            &[ix],
            Some(&faucet.pubkey()),
            &[faucet],
            s.ledger.blockhash(),
        );
        Ok::<_, ErrorObjectOwned>(land(s, tx.into())?.to_string())
    })?;
    Ok(())
}
