//! Decoders of Keel accounts from raw account data (discriminator checked).
use anchor_lang::{AccountDeserialize, Discriminator};
use keel::state::{DeleverageOrder, MarginAccount, Market, Pool};

/// Why raw data is not the account asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The first 8 bytes are not the account type's discriminator.
    WrongDiscriminator,
    /// The data is shorter than the account type.
    TooShort,
    /// Borsh could not read the body.
    Malformed,
}

/// Decode a `Pool`.
pub fn pool(data: &[u8]) -> Result<Pool, DecodeError> {
    borsh_account(data)
}

/// Decode a `Market`.
pub fn market(data: &[u8]) -> Result<Market, DecodeError> {
    borsh_account(data)
}

/// Decode a `DeleverageOrder`.
pub fn order(data: &[u8]) -> Result<DeleverageOrder, DecodeError> {
    borsh_account(data)
}

/// Decode a zero-copy `MarginAccount` (copied out, so the data need not be aligned).
pub fn margin_account(data: &[u8]) -> Result<MarginAccount, DecodeError> {
    check_discriminator::<MarginAccount>(data)?;
    let body = data
        .get(8..8 + std::mem::size_of::<MarginAccount>())
        .ok_or(DecodeError::TooShort)?;
    Ok(bytemuck::pod_read_unaligned(body))
}

fn borsh_account<T: AccountDeserialize + Discriminator>(data: &[u8]) -> Result<T, DecodeError> {
    check_discriminator::<T>(data)?;
    T::try_deserialize(&mut &data[..]).map_err(|_| DecodeError::Malformed)
}

fn check_discriminator<T: Discriminator>(data: &[u8]) -> Result<(), DecodeError> {
    let disc = T::DISCRIMINATOR;
    match data.get(..disc.len()) {
        None => Err(DecodeError::TooShort),
        Some(d) if d == disc => Ok(()),
        Some(_) => Err(DecodeError::WrongDiscriminator),
    }
}
