//! Pyth `PriceUpdateV2` accounts, written straight into the bank as the Pyth receiver would.
use crate::env::TestEnv;
use anchor_lang::prelude::Pubkey;
pub use keel_sdk::oracle::{price_update_data, PriceSpec};
use solana_sdk::account::{Account, AccountSharedData};

/// Write (or overwrite) the price account at `key`.
pub fn write_price(env: &mut TestEnv, key: Pubkey, spec: &PriceSpec) {
    let account = Account {
        lamports: 10_000_000,
        data: price_update_data(spec),
        owner: spec.owner,
        executable: false,
        rent_epoch: 0,
    };
    env.set_account(&key, &AccountSharedData::from(account));
}
