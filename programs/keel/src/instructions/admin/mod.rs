//! Instructions signed by a pool's admin (or, for `init_pool`, its creator).
pub mod add_market;
pub mod init_pool;

pub use add_market::*;
pub use init_pool::*;
