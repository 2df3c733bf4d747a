//! A swap desk: a small native program that sells one token for another at a set rate out of its
//! own reserves. It stands in for a DEX or an aggregator route between `flash_borrow` and
//! `flash_repay` (the program lets any program run there), in the flash-liquidation tests, the
//! bot's tests and the simulator, whose desks quote the impact model's price.
//!
//! ```text
//! desk (owned by this program): [mint_in 32][mint_out 32][reserve_in 32][reserve_out 32]
//!                               [rate u128 LE: base units out per base unit in, WAD-scaled][bump]
//! swap(amount_in, min_out): out = floor(amount_in * rate / WAD), refused below min_out
//!   accounts: user (signer), user_in, user_out, desk, reserve_in, reserve_out,
//!             mint_in, mint_out, token_program_in, token_program_out
//! ```
//! The reserves are token accounts whose owner is the desk's PDA (`["desk", mint_in, mint_out]`);
//! the harness writes desks and rates straight into the bank, as a market maker would set quotes.
use crate::env::TestEnv;
use crate::tokens::write_token_account;
use anchor_lang::prelude::{AccountInfo, AccountMeta, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program::{invoke, invoke_signed};
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_spl::token_2022::spl_token_2022;
use keel::math::fixed::WAD;

/// The desk program's id.
pub const SWAP_PROGRAM_ID: Pubkey = Pubkey::new_from_array(*b"keel-test-swap-desk-program-0001");

const DESK_LEN: usize = 32 * 4 + 16 + 1;
const RATE: usize = 128;

/// A desk's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Desk {
    /// The desk account (its PDA).
    pub desk: Pubkey,
    /// What it buys.
    pub mint_in: Pubkey,
    /// What it sells.
    pub mint_out: Pubkey,
    /// Its reserve of `mint_in`.
    pub reserve_in: Pubkey,
    /// Its reserve of `mint_out`.
    pub reserve_out: Pubkey,
    /// Token programs of the two mints.
    pub token_programs: (Pubkey, Pubkey),
}

/// The desk PDA for `mint_in -> mint_out`, and its bump.
pub fn desk_address(mint_in: &Pubkey, mint_out: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[b"desk", mint_in.as_ref(), mint_out.as_ref()],
        &SWAP_PROGRAM_ID,
    )
}

impl Desk {
    /// The keys of the desk selling `mint_out` for `mint_in`, with reserves at fixed addresses.
    pub fn new(mint_in: Pubkey, mint_out: Pubkey, token_programs: (Pubkey, Pubkey)) -> Desk {
        let (desk, _) = desk_address(&mint_in, &mint_out);
        let reserve = |mint: &Pubkey| {
            Pubkey::find_program_address(
                &[b"reserve", desk.as_ref(), mint.as_ref()],
                &SWAP_PROGRAM_ID,
            )
            .0
        };
        Desk {
            desk,
            mint_in,
            mint_out,
            reserve_in: reserve(&mint_in),
            reserve_out: reserve(&mint_out),
            token_programs,
        }
    }

    /// Write the desk with `reserve` of `mint_out` at `rate` (WAD-scaled base units out per base
    /// unit in); an existing desk's reserves are replaced.
    pub async fn write(&self, env: &mut TestEnv, reserve: u64, rate: u128) {
        let (_, bump) = desk_address(&self.mint_in, &self.mint_out);
        write_token_account(
            env,
            self.token_programs.0,
            &self.mint_in,
            &self.reserve_in,
            &self.desk,
            0,
        )
        .await;
        write_token_account(
            env,
            self.token_programs.1,
            &self.mint_out,
            &self.reserve_out,
            &self.desk,
            reserve,
        )
        .await;
        let mut data = Vec::with_capacity(DESK_LEN);
        for key in [
            self.mint_in,
            self.mint_out,
            self.reserve_in,
            self.reserve_out,
        ] {
            data.extend_from_slice(key.as_ref());
        }
        data.extend_from_slice(&rate.to_le_bytes());
        data.push(bump);
        let account = solana_sdk::account::Account {
            lamports: env.rent().minimum_balance(data.len()),
            data,
            owner: SWAP_PROGRAM_ID,
            executable: false,
            rent_epoch: 0,
        };
        env.set_account(&self.desk, &account.into());
    }

    /// Change the desk's rate (a new quote).
    pub async fn set_rate(&self, env: &mut TestEnv, rate: u128) {
        let mut account = env.account(self.desk).await.expect("desk");
        account.data[RATE..RATE + 16].copy_from_slice(&rate.to_le_bytes());
        env.set_account(&self.desk, &account.into());
    }

    /// What the desk pays for `amount_in` at `rate`.
    pub fn quote(amount_in: u64, rate: u128) -> u64 {
        (amount_in as u128 * rate / WAD).min(u64::MAX as u128) as u64
    }

    /// `swap`: `user` sells `amount_in` from `user_in` for at least `min_out` into `user_out`.
    pub fn swap_ix(
        &self,
        user: Pubkey,
        user_in: Pubkey,
        user_out: Pubkey,
        amount_in: u64,
        min_out: u64,
    ) -> Instruction {
        let mut data = amount_in.to_le_bytes().to_vec();
        data.extend_from_slice(&min_out.to_le_bytes());
        Instruction {
            program_id: SWAP_PROGRAM_ID,
            accounts: vec![
                AccountMeta::new_readonly(user, true),
                AccountMeta::new(user_in, false),
                AccountMeta::new(user_out, false),
                AccountMeta::new_readonly(self.desk, false),
                AccountMeta::new(self.reserve_in, false),
                AccountMeta::new(self.reserve_out, false),
                AccountMeta::new_readonly(self.mint_in, false),
                AccountMeta::new_readonly(self.mint_out, false),
                AccountMeta::new_readonly(self.token_programs.0, false),
                AccountMeta::new_readonly(self.token_programs.1, false),
            ],
            data,
        }
    }
}

fn key_at(data: &[u8], at: usize) -> Pubkey {
    Pubkey::new_from_array(data[at..at + 32].try_into().expect("32 bytes"))
}

fn decimals(mint: &AccountInfo) -> Result<u8, ProgramError> {
    // the mint's base layout is the same under SPL Token and Token-2022: decimals at byte 44
    mint.try_borrow_data()?
        .get(44)
        .copied()
        .ok_or(ProgramError::InvalidAccountData)
}

/// The desk program (a native builtin, bank.rs).
pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let [user, user_in, user_out, desk, reserve_in, reserve_out, mint_in, mint_out, program_in, program_out] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    if data.len() != 16 || desk.owner != program_id || !user.is_signer {
        return Err(ProgramError::InvalidArgument);
    }
    let amount_in = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
    let min_out = u64::from_le_bytes(data[8..].try_into().expect("8 bytes"));
    let (rate, bump) = {
        let d = desk.try_borrow_data()?;
        if d.len() != DESK_LEN
            || key_at(&d, 0) != *mint_in.key
            || key_at(&d, 32) != *mint_out.key
            || key_at(&d, 64) != *reserve_in.key
            || key_at(&d, 96) != *reserve_out.key
        {
            return Err(ProgramError::InvalidAccountData);
        }
        (
            u128::from_le_bytes(d[RATE..RATE + 16].try_into().expect("16 bytes")),
            d[DESK_LEN - 1],
        )
    };
    let out = Desk::quote(amount_in, rate);
    if out < min_out {
        // the quote moved past the caller's limit
        return Err(ProgramError::Custom(1));
    }
    let pay_in = spl_token_2022::instruction::transfer_checked(
        program_in.key,
        user_in.key,
        mint_in.key,
        reserve_in.key,
        user.key,
        &[],
        amount_in,
        decimals(mint_in)?,
    )?;
    invoke(
        &pay_in,
        &[
            user_in.clone(),
            mint_in.clone(),
            reserve_in.clone(),
            user.clone(),
            program_in.clone(),
        ],
    )?;
    let pay_out = spl_token_2022::instruction::transfer_checked(
        program_out.key,
        reserve_out.key,
        mint_out.key,
        user_out.key,
        desk.key,
        &[],
        out,
        decimals(mint_out)?,
    )?;
    let seeds: &[&[u8]] = &[
        b"desk",
        mint_in.key.as_ref(),
        mint_out.key.as_ref(),
        &[bump],
    ];
    invoke_signed(
        &pay_out,
        &[
            reserve_out.clone(),
            mint_out.clone(),
            user_out.clone(),
            desk.clone(),
            program_out.clone(),
        ],
        &[seeds],
    )
}
