//! The program's one error enum: one specific message per way an instruction can be refused.
use anchor_lang::prelude::*;

/// Every refusal the program can return.
#[error_code]
pub enum KeelError {
    // --- arithmetic
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Division by zero")]
    DivisionByZero,
    // --- amounts and shares
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount is too small: it converts to zero shares")]
    ZeroShares,
    #[msg("Withdrawal exceeds the account's deposit in this market")]
    InsufficientDeposit,
    #[msg("Not enough liquidity in the market's vault")]
    InsufficientLiquidity,
    #[msg("Deposit cap of the market exceeded")]
    DepositCapExceeded,
    #[msg("Borrow cap of the market exceeded")]
    BorrowCapExceeded,
    #[msg("The account has no debt in this market")]
    NoDebt,
    #[msg("Repay the debt in this market before depositing into it")]
    DepositWhileBorrowing,
    #[msg("Withdraw the deposit in this market before borrowing from it")]
    BorrowWhileDepositing,
    // --- margin account
    #[msg("The margin account already holds the maximum number of positions")]
    TooManyPositions,
    #[msg("The margin account still has open positions")]
    AccountNotEmpty,
    #[msg("Signer is not the owner of the margin account")]
    NotAccountOwner,
    #[msg("The margin account belongs to another pool")]
    WrongPool,
    // --- health
    #[msg("Action would leave the account below its initial margin requirement")]
    InitialHealthViolated,
    // --- remaining accounts
    #[msg("Remaining accounts must be (market, price update[, second price]) groups: the last is cut short")]
    RemainingAccountsCount,
    #[msg("Remaining account does not match the position it claims to price")]
    RemainingAccountMismatch,
    // --- oracle
    #[msg("Price account is not owned by its oracle program (Pyth receiver, Switchboard)")]
    OracleWrongOwner,
    #[msg("Price account is not a Pyth PriceUpdateV2 or a Switchboard pull feed")]
    OracleInvalidAccount,
    #[msg("Price update is for another feed than the market's")]
    OracleFeedMismatch,
    #[msg("Price update is not fully verified")]
    OracleNotFullyVerified,
    #[msg("Price update is older than the market's max age")]
    OracleStale,
    #[msg("Price confidence interval is wider than the market allows")]
    OracleConfidenceTooWide,
    #[msg("Oracle price is zero or negative")]
    OracleNonPositivePrice,
    #[msg("Oracle exponent is out of the supported range")]
    OracleExponentOutOfRange,
    // --- configuration
    #[msg("Collateral weights must satisfy 0 <= initial <= maintenance <= 100%")]
    InvalidAssetWeights,
    #[msg("Borrow weights must satisfy 100% <= maintenance <= initial <= 500%")]
    InvalidLiabilityWeights,
    #[msg("Oracle max age out of bounds")]
    InvalidOracleMaxAge,
    #[msg("Oracle max confidence out of bounds")]
    InvalidOracleMaxConfidence,
    #[msg("Interest curve out of bounds (kink in 1..99%, each rate <= 1000% APR)")]
    InvalidInterestCurve,
    #[msg("Reserve factor out of bounds (<= 50%)")]
    InvalidReserveFactor,
    #[msg("Timelock delay out of bounds")]
    InvalidTimelockDelay,
    #[msg("Mint has a Token-2022 extension that breaks the market's accounting")]
    UnsupportedMintExtension,
    // --- liquidation
    #[msg("The account is healthy: it cannot be liquidated")]
    NotLiquidatable,
    #[msg("The liquidator cannot be the account's owner or its delegate")]
    SelfLiquidation,
    #[msg("Repay and seize markets must differ")]
    SameMarket,
    #[msg("The account has no deposit in the seize market")]
    NoCollateralInSeizeMarket,
    #[msg("Nothing can be liquidated within the close factor, target and collateral")]
    NothingToLiquidate,
    #[msg("Liquidation would not improve the account's health")]
    HealthNotImproved,
    #[msg("Liquidation would restore health past the target")]
    OverLiquidation,
    #[msg("Seized value exceeds the repaid value times one plus the maximum bonus")]
    SeizeExceedsBound,
    #[msg("The account still has collateral: its debt is not bad debt")]
    AccountHasCollateral,
    #[msg("Bonus parameters out of bounds (min <= max <= 20%, (1 + max) * maintenance weight < 100%, fee <= 50%)")]
    InvalidBonusConfig,
    #[msg("Liquidation parameters out of bounds")]
    InvalidLiquidationConfig,
    // --- governance and safety
    #[msg("Signer is neither the pool admin nor its guardian")]
    NotAdminOrGuardian,
    #[msg("This change loosens risk: queue it behind the timelock")]
    NotTightening,
    #[msg("The queued change's timelock has not elapsed")]
    TimelockNotElapsed,
    #[msg("The market passed does not match the queued change")]
    ChangeMarketMismatch,
    #[msg("Use the queue to lower the timelock delay")]
    TimelockNotRaised,
    #[msg("Signer is not the pending authority")]
    NotPendingAuthority,
    #[msg("There is no pending hand-over for this role")]
    NoPendingAuthority,
    #[msg("Borrowing, withdrawals and new positions are paused")]
    Paused,
    #[msg("Liquidation is paused")]
    LiquidationPaused,
    #[msg("Liquidation resumed recently: grace period for traders to repair health")]
    LiquidationGracePeriod,
    #[msg("Liquidation is not paused")]
    LiquidationNotPaused,
    #[msg("Outflow limit of the market reached for this window")]
    OutflowLimitExceeded,
    #[msg("Outflow limit out of bounds (limit > 0, window 1 minute to 7 days)")]
    InvalidOutflowLimit,
    #[msg("The market is not active yet: its listing is behind the timelock")]
    MarketNotActive,
    #[msg("Admin instructions cannot run in a durable-nonce transaction")]
    DurableNonceRefused,
    #[msg("Account is not the instructions sysvar")]
    InvalidInstructionsSysvar,
    #[msg("Mint decimals above 18 are not supported")]
    MintDecimalsTooLarge,
    #[msg("Signer is not the pool admin")]
    NotPoolAdmin,
    // --- added by the audit hardening
    #[msg("Price update is older than one this market already used")]
    OracleOlderThanUsed,
    #[msg("The queued change's target changed since it was queued: queue it again")]
    ChangeBaseChanged,
    #[msg("The queued change's execution window has passed: queue it again")]
    ChangeExpired,
    #[msg("The market's lenders lost (almost) everything to bad debt: it takes no new deposits")]
    MarketWipedOut,
    #[msg("A market appears twice among the remaining accounts")]
    DuplicateRemainingAccount,
    #[msg("A position has no (market, price) pair among the remaining accounts")]
    MissingPositionPair,
    #[msg("The seize market's price is unusable: it cannot be the seize leg")]
    SeizeMarketUnpriced,
    #[msg("Price account is not the one the market is configured to read")]
    OraclePriceAccountMismatch,
    // --- oracle defence in depth
    #[msg("Second price account is not the feed the market is configured to read")]
    SecondaryOracleMismatch,
    #[msg("The market's two price sources disagree: no borrowing or withdrawing against it")]
    OracleSourcesDiverge,
    #[msg("Oracle guard out of bounds (divergence 0.1-20%, haircuts and volatility caps <= 50%)")]
    InvalidOracleGuard,
    #[msg("The market's second price source is stale or too uncertain: update it to borrow or withdraw against the market")]
    SecondaryOracleUnavailable,
    // --- flash loans
    #[msg("Flash-loan fee out of bounds (at most 1%)")]
    InvalidFlashFee,
    #[msg("Flash loans are top-level instructions only: no program may call flash_borrow or flash_repay")]
    FlashLoanCpi,
    #[msg("The transaction does not repay the flash loan: it needs one flash_repay of the same market after the flash_borrow")]
    FlashLoanNotRepaid,
    #[msg("The flash_repay does not match the loan: it must repay the same market, for the amount borrowed plus the fee")]
    FlashRepayMismatch,
    #[msg("One flash loan per transaction: a second flash_borrow or flash_repay is refused")]
    FlashLoanNested,
    #[msg("The market has no flash loan out to repay")]
    NoFlashLoan,
    // --- trader protection
    #[msg("Signer is neither the margin account's owner nor its delegate")]
    NotOwnerOrDelegate,
    #[msg(
        "A delegate may borrow or withdraw only to a token account of the margin account's owner"
    )]
    DelegatePaysOwnerOnly,
    #[msg("The delegate cannot be the owner itself")]
    InvalidDelegate,
    #[msg("E-mode out of bounds: initial <= maintenance <= 100%, (1 + max bonus) x maintenance < 100%, weights 0 without a group")]
    InvalidEmode,
    #[msg("The margin account has open deleverage orders: cancel them before closing it")]
    OrdersOpen,
    #[msg("Order id out of range: an account holds orders 0 to 7")]
    InvalidOrderId,
    #[msg("Order out of bounds: two different markets of the pool, max_repay > 0, min bonus <= max bonus <= the seize market's max liquidation bonus, a health trigger in (1.0, 3.0], a positive price on one of the order's markets, expiry in the future")]
    InvalidOrder,
    #[msg("The order's trigger is not met")]
    OrderNotTriggered,
    #[msg("The order has expired")]
    OrderExpired,
    #[msg("The account is liquidatable: deleverage orders execute only while health is at or above 1.0 (use liquidate)")]
    OrderAccountLiquidatable,
    #[msg("The markets or accounts passed are not the order's")]
    OrderMismatch,
    #[msg("The account's owner or delegate cannot execute its orders (the bonus comes out of the account)")]
    OrderSelfExecution,
    #[msg("Nothing to execute: the order, the debt or the collateral is used up")]
    NothingToExecute,
    // --- who may do what (second review)
    #[msg("The delegate does not hold the power this instruction needs (the owner grants powers in set_delegate)")]
    DelegateLacksPower,
    #[msg(
        "Delegate powers out of range: deposit, borrow, withdraw, orders (none without a delegate)"
    )]
    InvalidDelegatePowers,
    #[msg("A delegate's deleverage orders pay no bonus: min and max bonus must be 0")]
    DelegateOrderBonus,
    #[msg("The order's poster no longer stands behind it: the delegate that posted it was replaced, revoked or lost the orders power")]
    OrderAuthorityRevoked,
    #[msg("A delegate may cancel only the orders it posted")]
    NotOrderPoster,
    #[msg("A new guardian takes its seat only after the pool's timelock delay from its proposal")]
    GuardianHandoverTimelocked,
    #[msg("The guardian alone may not set an outflow limit slower than 1% of the market's deposits a day (the admin may)")]
    OutflowBelowFloor,
    #[msg("The guardian's next liquidation pause waits a day after its last one lapsed and its grace period ran: until then, pausing is the admin's")]
    GuardianPauseSpent,
    #[msg("The guardian has vetoed a hand-over already: the admin's next proposal (twice the timelock) cannot be vetoed")]
    GuardianVetoSpent,
    #[msg("Signer is not the pool's guardian")]
    NotGuardian,
    #[msg("Borrowing and withdrawing against a market with two price sources needs both fresh and agreeing")]
    OracleNeedsBothSources,
    // --- economic review (issue 27)
    #[msg("This market's price is held at its last publication (the feed is stale or too uncertain): post a fresh price update to exchange against it")]
    HeldPriceNotExchangeable,
    #[msg("A price order fires only on Pyth's price: the second source alone (which anyone can crank) cannot trigger it")]
    PriceTriggerNeedsPrimary,
    #[msg("Booking a provision needs a fresh Pyth price on every debt and a price on every collateral of the account: post fresh updates first")]
    ProvisionNeedsFreshPrices,
    #[msg("This market's insurance fund covers its provisioned losses: nothing to rebalance")]
    NoInsuranceNeed,
    #[msg("The donor market's insurance fund has no surplus over its own provisioned losses for this amount")]
    InsufficientInsuranceSurplus,
    #[msg("Rebalancing insurance needs a fresh Pyth price on both markets (its second source agreeing, if any)")]
    InsurancePriceNotFresh,
    #[msg("The borrow would take the market's utilisation above 95%: lenders must keep a way out")]
    BorrowUtilisationCap,
    #[msg("A deposit made in this slot cannot leave while the market is above its 95% borrow cap: withdraw it from the next slot")]
    RecentDepositLiftsCap,
}
