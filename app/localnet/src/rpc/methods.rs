//! The methods of the endpoint, each a thin read of the bank or a landing of a transaction, in
//! the shapes `solana-rpc-client` decodes (rpc/mod.rs lists them).
use super::{invalid, RpcState};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use solana_account_decoder::{encode_ui_account, UiAccount, UiAccountEncoding};
use solana_rpc_client_types::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_types::filter::RpcFilterType;
use solana_rpc_client_types::response::{
    OptionalContext, Response, RpcBlockhash, RpcKeyedAccount, RpcResponseContext, RpcVersionInfo,
};
use solana_sdk::account::{Account, AccountSharedData, ReadableAccount};
use solana_sdk::pubkey::Pubkey;
use std::str::FromStr;

pub(super) type RpcResult<T> = Result<T, ErrorObjectOwned>;

pub(super) fn pubkey(s: &str) -> RpcResult<Pubkey> {
    Pubkey::from_str(s).map_err(|_| invalid(format!("invalid pubkey: {s}")))
}

fn context(state: &RpcState) -> RpcResponseContext {
    RpcResponseContext::new(state.ledger.bank().slot())
}

pub(super) fn with_context<T>(state: &RpcState, value: T) -> Response<T> {
    Response {
        context: context(state),
        value,
    }
}

/// An account in the encoding asked (base64 unless told: base58 is for small accounts only).
fn ui_account(
    key: &Pubkey,
    account: &Account,
    config: &RpcAccountInfoConfig,
) -> RpcResult<UiAccount> {
    let encoding = config.encoding.unwrap_or(UiAccountEncoding::Base64);
    if matches!(
        encoding,
        UiAccountEncoding::Binary | UiAccountEncoding::Base58
    ) && account.data.len() > 128
    {
        return Err(invalid(
            "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
        ));
    }
    let shared = AccountSharedData::from(account.clone());
    Ok(encode_ui_account(
        key,
        &shared,
        encoding,
        None,
        config.data_slice,
    ))
}

/// The account at `key`, if any, in the encoding asked.
fn ui_account_at(
    state: &RpcState,
    key: &Pubkey,
    config: &RpcAccountInfoConfig,
) -> RpcResult<Option<UiAccount>> {
    state
        .ledger
        .account(key)
        .map(|a| ui_account(key, &a, config))
        .transpose()
}

/// Does `account` pass every filter of a program-account query?
fn passes(filters: &[RpcFilterType], account: &Account) -> bool {
    filters.iter().all(|f| match f {
        RpcFilterType::DataSize(n) => account.data.len() as u64 == *n,
        RpcFilterType::Memcmp(m) => m.bytes_match(account.data()),
        // an initialized SPL Token (or Token-2022) account: 165 bytes and state set
        RpcFilterType::TokenAccountState => account.data.len() >= 165 && account.data[108] != 0,
    })
}

/// Register every method on `module`.
pub(crate) fn register(
    module: &mut RpcModule<RpcState>,
) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("getHealth", |_, _, _| Ok::<_, ErrorObjectOwned>("ok"))?;
    module.register_method("getVersion", |_, _, _| {
        Ok::<_, ErrorObjectOwned>(RpcVersionInfo {
            solana_core: "3.1.12".into(),
            feature_set: None,
        })
    })?;
    module.register_method("getSlot", |_, s, _| {
        Ok::<_, ErrorObjectOwned>(s.ledger.bank().slot())
    })?;
    module.register_method("getBlockHeight", |_, s, _| {
        Ok::<_, ErrorObjectOwned>(s.ledger.bank().block_height())
    })?;
    module.register_method("getEpochInfo", |_, s, _| {
        Ok::<_, ErrorObjectOwned>(s.ledger.bank().get_epoch_info())
    })?;
    module.register_method("getGenesisHash", |_, s, _| {
        Ok::<_, ErrorObjectOwned>(s.ledger.bank().parent_hash().to_string())
    })?;
    module.register_method("getMinimumBalanceForRentExemption", |p: Params, s, _| {
        let mut seq = p.sequence();
        let len: usize = seq.next()?;
        Ok::<_, ErrorObjectOwned>(s.ledger.bank().get_minimum_balance_for_rent_exemption(len))
    })?;
    module.register_method("getLatestBlockhash", |_, s, _| {
        let bank = s.ledger.bank();
        Ok::<_, ErrorObjectOwned>(with_context(
            s,
            RpcBlockhash {
                blockhash: bank.last_blockhash().to_string(),
                last_valid_block_height: bank.block_height() + 150,
            },
        ))
    })?;
    module.register_method("isBlockhashValid", |p: Params, s, _| {
        let mut seq = p.sequence();
        let hash: String = seq.next()?;
        let hash =
            solana_sdk::hash::Hash::from_str(&hash).map_err(|_| invalid("invalid blockhash"))?;
        Ok::<_, ErrorObjectOwned>(with_context(s, s.ledger.bank().is_blockhash_valid(&hash)))
    })?;
    module.register_method("getBalance", |p: Params, s, _| {
        let mut seq = p.sequence();
        let key = pubkey(&seq.next::<String>()?)?;
        let lamports = s.ledger.account(&key).map_or(0, |a| a.lamports);
        Ok::<_, ErrorObjectOwned>(with_context(s, lamports))
    })?;
    module.register_method("getAccountInfo", |p: Params, s, _| {
        let mut seq = p.sequence();
        let key = pubkey(&seq.next::<String>()?)?;
        let config: RpcAccountInfoConfig = seq.optional_next()?.unwrap_or_default();
        Ok::<_, ErrorObjectOwned>(with_context(s, ui_account_at(s, &key, &config)?))
    })?;
    module.register_method("getMultipleAccounts", |p: Params, s, _| {
        let mut seq = p.sequence();
        let keys: Vec<String> = seq.next()?;
        let config: RpcAccountInfoConfig = seq.optional_next()?.unwrap_or_default();
        let mut out = Vec::with_capacity(keys.len());
        for k in &keys {
            out.push(ui_account_at(s, &pubkey(k)?, &config)?);
        }
        Ok::<_, ErrorObjectOwned>(with_context(s, out))
    })?;
    module.register_method("getProgramAccounts", |p: Params, s, _| {
        let mut seq = p.sequence();
        let program = pubkey(&seq.next::<String>()?)?;
        let config: RpcProgramAccountsConfig = seq.optional_next()?.unwrap_or_default();
        let filters = config.filters.clone().unwrap_or_default();
        for f in &filters {
            f.verify()
                .map_err(|e| invalid(format!("invalid filter: {e}")))?;
        }
        let accounts: Vec<(Pubkey, Account)> = if program == keel::ID {
            s.ledger.keel_accounts()
        } else {
            s.ledger
                .bank()
                .get_program_accounts(&program, &Default::default())
                .map_err(|e| invalid(format!("scan failed: {e}")))?
                .into_iter()
                .map(|(k, a)| (k, a.into()))
                .collect()
        };
        let mut keyed = vec![];
        for (key, account) in accounts.iter().filter(|(_, a)| passes(&filters, a)) {
            keyed.push(RpcKeyedAccount {
                pubkey: key.to_string(),
                account: ui_account(key, account, &config.account_config)?,
            });
        }
        Ok::<_, ErrorObjectOwned>(if config.with_context.unwrap_or(false) {
            OptionalContext::Context(with_context(s, keyed))
        } else {
            OptionalContext::NoContext(keyed)
        })
    })?;
    module.register_method("getTokenAccountBalance", |p: Params, s, _| {
        let mut seq = p.sequence();
        let key = pubkey(&seq.next::<String>()?)?;
        let account = s
            .ledger
            .account(&key)
            .filter(|a| a.data.len() >= 165)
            .ok_or_else(|| invalid(format!("Invalid param: not a Token account {key}")))?;
        let mint = Pubkey::try_from(&account.data[..32]).map_err(|_| invalid("bad mint"))?;
        let amount = u64::from_le_bytes(account.data[64..72].try_into().unwrap_or([0; 8]));
        let decimals = s
            .ledger
            .account(&mint)
            .and_then(|m| m.data.get(44).copied())
            .ok_or_else(|| invalid(format!("Invalid param: mint {mint} not found")))?;
        let ui = amount as f64 / 10f64.powi(decimals as i32);
        Ok::<_, ErrorObjectOwned>(with_context(
            s,
            solana_account_decoder::parse_token::UiTokenAmount {
                ui_amount: Some(ui),
                decimals,
                amount: amount.to_string(),
                ui_amount_string: ui.to_string(),
            },
        ))
    })?;
    super::transactions::register(module)
}
