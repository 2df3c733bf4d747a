//! Pool roles that can be handed over, and the steps of a hand-over.
use anchor_lang::prelude::*;

/// A pool role that can be handed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum Role {
    /// The governance authority.
    Admin,
    /// The emergency authority.
    Guardian,
}

/// Step of a hand-over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum AuthorityAction {
    /// The admin proposed a new key.
    Proposed,
    /// The proposed key accepted.
    Accepted,
    /// The admin withdrew the proposal.
    Cancelled,
    /// A new admin took over: the old admin's pending proposal was dropped.
    Dropped,
    /// The guardian vetoed a proposed new guardian.
    Vetoed,
}
