//! Where a world's keys come from.
use anchor_lang::prelude::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// Where a world's keys come from: fresh random keys (tests), or a seeded sequence so that every
/// address (pool, markets, price accounts, traders) is the same on every run (the simulator; the
/// liquidator orders accounts by address, so a run is only reproducible with reproducible keys).
pub enum KeySource {
    /// `Keypair::new()` each time.
    Random,
    /// The `n`th key of `seed`: `Keypair::new_from_array(sha256(seed, n))`.
    Seeded {
        /// The seed.
        seed: u64,
        /// Keys handed out so far.
        next: u64,
    },
}

impl KeySource {
    /// The next keypair.
    pub fn keypair(&mut self) -> Keypair {
        match self {
            KeySource::Random => Keypair::new(),
            KeySource::Seeded { seed, next } => {
                *next += 1;
                let secret = solana_sdk::hash::hashv(&[
                    b"keel-localnet",
                    &seed.to_le_bytes(),
                    &next.to_le_bytes(),
                ]);
                Keypair::new_from_array(secret.to_bytes())
            }
        }
    }

    /// The next address (for accounts that need no signature).
    pub fn address(&mut self) -> Pubkey {
        self.keypair().pubkey()
    }
}
