// A margin account as the page shows it: positions in tokens and USD, the program's health report,
// the warning band, and each collateral's liquidation price (the price at which the program's
// maintenance collateral, less this position's part at today's price, meets the maintenance debt).
import type { HealthReport, MarginAccount } from '@keel/client';
import { activePositions } from '@keel/client';
import type { MarketView, PoolView } from './chain';
import { sharesToUnits } from './market_math';
import { wad } from './money';

export type Band = 'healthy' | 'at risk' | 'liquidatable' | 'no debt';
/** Below this health factor the page warns. */
export const AT_RISK = 1.1;

export type PositionView = {
    market: MarketView;
    deposit: bigint;
    debt: bigint;
    depositUsd: number;
    debtUsd: number;
    liquidationPrice: number | null;
};

export function band(report: HealthReport | null): Band {
    if (!report) return 'no debt';
    if (report.liquidatable) return 'liquidatable';
    if (wad(report.debtMaint) === 0) return 'no debt';
    return wad(report.healthFactor) < AT_RISK ? 'at risk' : 'healthy';
}

export function positions(pool: PoolView, account: MarginAccount, report: HealthReport | null): PositionView[] {
    const views = activePositions(account).flatMap(p => {
        const market = pool.markets.find(m => m.key === p.market);
        if (!market) return [];
        const deposit = sharesToUnits(p.depositShares, market.market.depositIndex);
        // debt rounds up, as the program counts it
        const WAD = 10n ** 18n;
        const debt = (p.borrowShares * market.market.borrowIndex[0] + WAD - 1n) / WAD;
        const scale = 10 ** market.market.decimals;
        const price = market.price?.price ?? 0;
        return [{
            market,
            deposit,
            debt,
            depositUsd: (Number(deposit) / scale) * price,
            debtUsd: (Number(debt) / scale) * price,
            liquidationPrice: null as number | null,
        }];
    });
    if (report && wad(report.debtMaint) > 0) {
        const cushion = wad(report.collateralMaint) - wad(report.debtMaint);
        for (const v of views) {
            const weight = v.market.market.config.weights.maintAssetWeightBps / 10_000;
            const part = v.depositUsd * weight;
            const price = v.market.price?.price ?? 0;
            if (part > 0 && price > 0) v.liquidationPrice = Math.max(0, price * (1 - cushion / part));
        }
    }
    return views;
}
