//! Mints and token accounts under SPL Token or Token-2022, and balance reads.
use crate::env::TestEnv;
use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use solana_sdk::signature::{Keypair, Signer};
use solana_system_interface::instruction::create_account;
use spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions};
use spl_token_2022::state::{Account as TokenAccountState, Mint as MintState};

/// SPL Token program id.
pub fn spl_token() -> Pubkey {
    anchor_spl::token::ID
}

/// Token-2022 program id.
pub fn token_2022() -> Pubkey {
    anchor_spl::token_2022::ID
}

/// An extra Token-2022 mint extension to set up (for the mint-policy tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintExtension {
    /// No extension.
    None,
    /// A transfer fee of 1%.
    TransferFee,
    /// A metadata pointer (harmless to accounting).
    MetadataPointer,
    /// An interest-bearing config (the UI amount grows with a rate the rate authority sets).
    InterestBearing,
    /// A scaled UI amount (the UI amount is the raw amount times a multiplier its authority sets).
    ScaledUiAmount,
}

/// Create a mint under `token_program` with `authority` as mint authority.
pub async fn create_mint(
    env: &mut TestEnv,
    token_program: Pubkey,
    decimals: u8,
    authority: &Pubkey,
    extension: MintExtension,
) -> Pubkey {
    create_mint_at(
        env,
        &Keypair::new(),
        token_program,
        decimals,
        authority,
        extension,
    )
    .await
}

/// Create a mint at `mint`'s address (a chosen key, for reproducible runs).
pub async fn create_mint_at(
    env: &mut TestEnv,
    mint: &Keypair,
    token_program: Pubkey,
    decimals: u8,
    authority: &Pubkey,
    extension: MintExtension,
) -> Pubkey {
    let payer = env.payer();
    let extensions: Vec<ExtensionType> = match extension {
        MintExtension::None => vec![],
        MintExtension::TransferFee => vec![ExtensionType::TransferFeeConfig],
        MintExtension::MetadataPointer => vec![ExtensionType::MetadataPointer],
        MintExtension::InterestBearing => vec![ExtensionType::InterestBearingConfig],
        MintExtension::ScaledUiAmount => vec![ExtensionType::ScaledUiAmount],
    };
    let space = ExtensionType::try_calculate_account_len::<MintState>(&extensions).unwrap();
    let rent = env.rent();
    let mut ixs = vec![create_account(
        &payer.pubkey(),
        &mint.pubkey(),
        rent.minimum_balance(space),
        space as u64,
        &token_program,
    )];
    match extension {
        MintExtension::None => {}
        MintExtension::TransferFee => ixs.push(
            spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                &token_program,
                &mint.pubkey(),
                Some(authority),
                Some(authority),
                100,
                u64::MAX,
            )
            .unwrap(),
        ),
        MintExtension::MetadataPointer => ixs.push(
            spl_token_2022::extension::metadata_pointer::instruction::initialize(
                &token_program,
                &mint.pubkey(),
                Some(*authority),
                Some(mint.pubkey()),
            )
            .unwrap(),
        ),
        MintExtension::InterestBearing => ixs.push(
            spl_token_2022::extension::interest_bearing_mint::instruction::initialize(
                &token_program,
                &mint.pubkey(),
                Some(*authority),
                500,
            )
            .unwrap(),
        ),
        MintExtension::ScaledUiAmount => ixs.push(
            spl_token_2022::extension::scaled_ui_amount::instruction::initialize(
                &token_program,
                &mint.pubkey(),
                Some(*authority),
                1.0,
            )
            .unwrap(),
        ),
    }
    ixs.push(
        spl_token_2022::instruction::initialize_mint2(
            &token_program,
            &mint.pubkey(),
            authority,
            None,
            decimals,
        )
        .unwrap(),
    );
    env.send(&ixs, &[mint]).await.expect("create mint");
    mint.pubkey()
}

/// Create a token account of `mint` owned by `owner`.
pub async fn create_token_account(
    env: &mut TestEnv,
    token_program: Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
) -> Pubkey {
    let account = Keypair::new();
    let payer = env.payer();
    let mint_data = env.account(*mint).await.expect("mint").data;
    let mint_state = StateWithExtensions::<MintState>::unpack(&mint_data).unwrap();
    let required = ExtensionType::get_required_init_account_extensions(
        &mint_state.get_extension_types().unwrap(),
    );
    let space = ExtensionType::try_calculate_account_len::<TokenAccountState>(&required).unwrap();
    let rent = env.rent();
    let ixs = [
        create_account(
            &payer.pubkey(),
            &account.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &token_program,
        ),
        spl_token_2022::instruction::initialize_account3(
            &token_program,
            &account.pubkey(),
            mint,
            owner,
        )
        .unwrap(),
    ];
    env.send(&ixs, &[&account])
        .await
        .expect("create token account");
    account.pubkey()
}

/// Write a funded token account of `mint` (no extensions) owned by `owner` at `key` straight into
/// the bank, as wallet state a scenario starts from; and raise the mint's supply to match, so the
/// mint's books stay whole. Protocol actions never use this: they go through transactions.
pub async fn write_token_account(
    env: &mut TestEnv,
    token_program: Pubkey,
    mint: &Pubkey,
    key: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) {
    use solana_program_pack::Pack;
    let mut mint_account = env.account(*mint).await.expect("mint");
    let mut mint_state =
        MintState::unpack_from_slice(&mint_account.data[..MintState::LEN]).expect("mint state");
    mint_state.supply = mint_state.supply.checked_add(amount).expect("mint supply");
    mint_state.pack_into_slice(&mut mint_account.data[..MintState::LEN]);
    env.set_account(mint, &mint_account.into());
    let state = TokenAccountState {
        mint: *mint,
        owner: *owner,
        amount,
        state: spl_token_2022::state::AccountState::Initialized,
        ..TokenAccountState::default()
    };
    let mut data = vec![0u8; TokenAccountState::LEN];
    state.pack_into_slice(&mut data);
    let rent = env.rent();
    let account = solana_sdk::account::Account {
        lamports: rent.minimum_balance(data.len()),
        data,
        owner: token_program,
        executable: false,
        rent_epoch: 0,
    };
    env.set_account(key, &account.into());
}

/// Mint `amount` of `mint` to `to`.
pub async fn mint_to(
    env: &mut TestEnv,
    token_program: Pubkey,
    mint: &Pubkey,
    authority: &Keypair,
    to: &Pubkey,
    amount: u64,
) {
    let ix = spl_token_2022::instruction::mint_to(
        &token_program,
        mint,
        to,
        &authority.pubkey(),
        &[],
        amount,
    )
    .unwrap();
    env.send(&[ix], &[authority]).await.expect("mint_to");
}

/// Balance of a token account (SPL Token or Token-2022).
pub async fn balance(env: &mut TestEnv, account: Pubkey) -> u64 {
    let data = env.account(account).await.expect("token account").data;
    StateWithExtensions::<TokenAccountState>::unpack(&data)
        .unwrap()
        .base
        .amount
}
