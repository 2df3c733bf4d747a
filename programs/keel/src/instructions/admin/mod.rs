//! Instructions signed by a pool's admin or guardian (or, for `init_pool`, its creator).
pub mod add_market;
pub mod authority;
pub mod cancel_change;
pub mod governance_accounts;
pub mod init_pool;
pub mod pause;
pub mod queue_change;
pub mod raise_timelock;
pub mod resume_liquidation;
pub mod tighten_market;

pub use add_market::*;
pub use authority::*;
pub use cancel_change::*;
pub use governance_accounts::*;
pub use init_pool::*;
pub use pause::*;
pub use queue_change::*;
pub use raise_timelock::*;
pub use resume_liquidation::*;
pub use tighten_market::*;
