// The Keel TypeScript client: everything Codama generates from idl/keel.json (src/generated:
// instructions, accounts, types, errors, PDAs), and a small hand-written layer on top:
// - `healthAccounts`: the (market, price update[, second source]) remaining accounts that
//   `borrow`, `withdraw`, `health` and `liquidate` price a margin account's positions with;
// - `withRemainingAccounts`: append them to a generated instruction;
// - `activePositions`: a decoded margin account's positions;
// - `decodeHealthReport`: the `health` instruction's return data.
import {
    AccountRole,
    getBase64Encoder,
    type AccountMeta,
    type Address,
    type Instruction,
} from '@solana/kit';
import {
    getHealthReportDecoder,
    type HealthReport,
    type MarginAccount,
    type Position,
} from './generated';

export * from './generated';

/** The price accounts of one market: its Pyth update and, when it names one, its second source. */
export type MarketOracles = {
    market: Address;
    priceUpdate: Address;
    secondary?: Address;
};

/**
 * Remaining accounts pricing a margin account's positions: one (market, price update[, second
 * source]) group per position, matched by the market's key on chain (any order; groups for
 * markets the account does not hold are allowed; a market twice is refused). A first borrow in a
 * market needs that market's group too.
 */
export function healthAccounts(groups: MarketOracles[]): AccountMeta[] {
    return groups.flatMap(g => [
        { address: g.market, role: AccountRole.READONLY },
        { address: g.priceUpdate, role: AccountRole.READONLY },
        ...(g.secondary ? [{ address: g.secondary, role: AccountRole.READONLY }] : []),
    ]);
}

/** `ix` with `remaining` appended after its own accounts. */
export function withRemainingAccounts<T extends Instruction>(ix: T, remaining: AccountMeta[]): T {
    return { ...ix, accounts: [...(ix.accounts ?? []), ...remaining] };
}

/** The active positions of a decoded margin account (the first `positionCount`). */
export function activePositions(account: MarginAccount): Position[] {
    return account.positions.slice(0, account.positionCount);
}

/** The `health` instruction's return data (base64, as a simulation returns it). */
export function decodeHealthReport(base64: string): HealthReport {
    // kit's codec, not node's Buffer: the client runs in browsers too
    return getHealthReportDecoder().decode(getBase64Encoder().encode(base64));
}

/** A Wad (18 decimals) as a number, for display and tolerant comparison. */
export function wadToNumber(wad: readonly [bigint]): number {
    return Number(wad[0]) / 1e18;
}
