// The trader's account: health factor and its band, borrowing power left, each position and each
// collateral's liquidation price; live (the page re-reads on every account or price notification).
import type { HealthReport, MarginAccount } from '@keel/client';
import { band, positions } from './account';
import type { PoolView } from './chain';
import { formatAmount, formatPrice, formatUsd, wad } from './money';

type Props = {
    pool: PoolView;
    account: MarginAccount | null;
    report: HealthReport | null;
    onOpen: () => void;
    busy: boolean;
};

export function healthText(report: HealthReport | null): string {
    if (!report || wad(report.debtMaint) === 0) return '∞';
    return wad(report.healthFactor).toFixed(3);
}

export function AccountPanel({ pool, account, report, onOpen, busy }: Props) {
    if (!account) {
        return (
            <section className="card" aria-labelledby="account-title">
                <h2 id="account-title">Your account</h2>
                <p>You have no margin account in this pool yet.</p>
                <button onClick={onOpen} disabled={busy}>Open a margin account</button>
            </section>
        );
    }
    const b = band(report);
    const power = report ? Math.max(0, wad(report.collateralInit) - wad(report.debtInit)) : 0;
    const rows = positions(pool, account, report);
    return (
        <section className="card" aria-labelledby="account-title">
            <h2 id="account-title">Your account</h2>
            <div className={`band band-${b.replace(' ', '-')}`} role="status" data-band={b}>
                <span className="label">Health factor</span>
                <span className="hf" data-testid="health-factor">{healthText(report)}</span>
                <span className="state">
                    {b === 'liquidatable' && 'Liquidatable: anyone may repay your debt and take collateral at a bonus'}
                    {b === 'at risk' && 'At risk: near liquidation. Repay or add collateral'}
                    {b === 'healthy' && 'Healthy'}
                    {b === 'no debt' && 'No debt'}
                </span>
            </div>
            <dl className="facts">
                <dt>Borrowing power left</dt>
                <dd data-testid="borrowing-power">{formatUsd(power)}</dd>
                <dt>Collateral / debt (maintenance-weighted)</dt>
                <dd>{report ? `${formatUsd(wad(report.collateralMaint))} / ${formatUsd(wad(report.debtMaint))}` : '—'}</dd>
            </dl>
            <div className="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">Market</th>
                            <th scope="col">Deposited</th>
                            <th scope="col">Borrowed</th>
                            <th scope="col">Liquidation price</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.length === 0 && (
                            <tr>
                                <td colSpan={4}>No positions yet: deposit to start.</td>
                            </tr>
                        )}
                        {rows.map(r => (
                            <tr key={r.market.key} data-position={r.market.symbol}>
                                <th scope="row">{r.market.symbol}</th>
                                <td className="num">
                                    {formatAmount(r.deposit, r.market.market.decimals, 4)}
                                    <div className="sub">{formatUsd(r.depositUsd)}</div>
                                </td>
                                <td className="num">
                                    {formatAmount(r.debt, r.market.market.decimals, 4)}
                                    <div className="sub">{formatUsd(r.debtUsd)}</div>
                                </td>
                                <td className="num">{r.liquidationPrice === null ? '—' : formatPrice(r.liquidationPrice)}</td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            </div>
        </section>
    );
}
