//! Governance rules: which parameter changes tighten (immediate) or loosen (timelocked), and the
//! guard against pre-signed (durable-nonce) admin transactions.
pub mod change_base;
pub mod classify;
pub mod nonce_guard;
