//! Which mints a market may list.
//!
//! SPL Token mints are accepted. Token-2022 mints are accepted only when every extension they carry
//! leaves raw-amount accounting and pricing intact: metadata, group and member pointers. Everything
//! else is refused, notably interest-bearing and scaled-UI-amount mints (their UI amount, which
//! oracles and markets price, moves with a rate or multiplier their authority sets, while Keel
//! books raw amounts: a 2:1 multiplier change would halve every such collateral's value at once),
//! transfer fees (the vault would receive less than booked), transfer hooks (arbitrary code on every
//! transfer), permanent delegates (can move vault funds), default-frozen accounts, non-transferable,
//! pausable and confidential mints, and mint close authorities (the mint could be closed and re-made).
use crate::errors::KeelError;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::Mint as MintState;

/// Largest mint decimals a market accepts.
pub const MAX_MINT_DECIMALS: u8 = 18;

/// Extensions a listed Token-2022 mint may carry.
const ALLOWED_EXTENSIONS: [ExtensionType; 6] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
];

/// Refuse a mint whose decimals or Token-2022 extensions the market cannot account for.
pub fn check_mint_supported(mint: &AccountInfo, decimals: u8) -> Result<()> {
    require!(
        decimals <= MAX_MINT_DECIMALS,
        KeelError::MintDecimalsTooLarge
    );
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        require!(
            ALLOWED_EXTENSIONS.contains(&extension),
            KeelError::UnsupportedMintExtension
        );
    }
    Ok(())
}
