//! Permissionless instructions: anyone may call them.
pub mod accrue;
pub mod health;

pub use accrue::*;
pub use health::*;
