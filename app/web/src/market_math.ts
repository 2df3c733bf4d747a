// What the pool table shows that no instruction reports: token totals from shares and indices,
// utilisation, and the rates of the interest curve (display only; every action is checked by the
// program, and previews come from simulating it).
import type { Market } from '@keel/client';
import { wad } from './money';

const WAD = 10n ** 18n;

/** Tokens (base units) behind `shares` at `index` (Wad), rounded down. */
export const sharesToUnits = (shares: bigint, index: readonly [bigint]) => (shares * index[0]) / WAD;

export function totals(m: Market) {
    const deposits = sharesToUnits(m.totalDepositShares, m.depositIndex);
    const borrows = sharesToUnits(m.totalBorrowShares, m.borrowIndex);
    const utilisation = deposits === 0n ? 0 : Number((borrows * 1_000_000n) / deposits) / 1_000_000;
    return { deposits, borrows, utilisation };
}

/** Borrow and supply APR at `u` on the market's curve (kinked at the optimal utilisation). */
export function rates(m: Market, u: number) {
    const c = m.config.curve;
    const opt = c.optimalUtilBps / 10_000;
    const base = c.baseRateBps / 10_000;
    const borrow = u <= opt ? base + (c.slope1Bps / 10_000) * (u / opt) : base + c.slope1Bps / 10_000 + (c.slope2Bps / 10_000) * ((u - opt) / (1 - opt));
    const supply = borrow * u * (1 - m.config.reserveFactorBps / 10_000);
    return { borrow, supply };
}

export const weightPct = (bps: number) => bps / 10_000;
export { wad };
