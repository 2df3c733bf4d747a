// The pool: each market's price and its source, deposits, borrows, utilisation, rates, caps and
// how full they are, collateral weights (and e-mode's), the bonus range.
import type { MarketView, PoolView } from './chain';
import { formatAmount, formatPct, formatPrice } from './money';
import { rates, totals, weightPct } from './market_math';

const NO_FEED = '11111111111111111111111111111111';

export function priceSource(m: MarketView, now: number): { label: string; tone: 'ok' | 'warn' | 'bad' } {
    if (!m.price) return { label: 'no price', tone: 'bad' };
    const age = now - m.price.publishTime;
    const second = m.market.config.secondary.feed !== NO_FEED;
    if (age > m.market.config.oracle.maxAgeSecs) return { label: `Pyth, held (${age} s old)`, tone: 'warn' };
    return { label: second ? 'Pyth + second source' : 'Pyth', tone: 'ok' };
}

function Cap({ used, cap, decimals }: { used: bigint; cap: bigint; decimals: number }) {
    if (cap === 0n || cap >= 2n ** 63n) return <span>no cap</span>;
    const full = Number((used * 10_000n) / cap) / 10_000;
    return (
        <span title={`${formatAmount(used, decimals, 2)} of ${formatAmount(cap, decimals, 2)}`}>
            {formatPct(full)} of {formatAmount(cap, decimals, 0)}
            <meter min={0} max={1} value={full} aria-label="cap used" />
        </span>
    );
}

export function PoolTable({ pool, now }: { pool: PoolView; now: number }) {
    return (
        <section aria-labelledby="pool-title" className="card">
            <h2 id="pool-title">Pool</h2>
            <div className="table-scroll">
                <table className="markets">
                    <thead>
                        <tr>
                            <th scope="col">Market</th>
                            <th scope="col">Price</th>
                            <th scope="col">Deposits</th>
                            <th scope="col">Borrows</th>
                            <th scope="col">Utilisation</th>
                            <th scope="col">Supply APR</th>
                            <th scope="col">Borrow APR</th>
                            <th scope="col">Deposit cap</th>
                            <th scope="col">Borrow cap</th>
                            <th scope="col">Collateral weight</th>
                            <th scope="col">Bonus</th>
                        </tr>
                    </thead>
                    <tbody>
                        {pool.markets.map(m => {
                            const t = totals(m.market);
                            const r = rates(m.market, t.utilisation);
                            const src = priceSource(m, now);
                            const w = m.market.config.weights;
                            const e = m.market.config.emode;
                            const b = m.market.config.bonus;
                            const d = m.market.decimals;
                            return (
                                <tr key={m.key} data-market={m.symbol}>
                                    <th scope="row">{m.symbol}</th>
                                    <td>
                                        <div className="num">{m.price ? formatPrice(m.price.price) : '—'}</div>
                                        <div className={`source ${src.tone}`}>{src.label}</div>
                                    </td>
                                    <td className="num">{formatAmount(t.deposits, d, 2)}</td>
                                    <td className="num">{formatAmount(t.borrows, d, 2)}</td>
                                    <td className="num">{formatPct(t.utilisation)}</td>
                                    <td className="num">{formatPct(r.supply)}</td>
                                    <td className="num">{formatPct(r.borrow)}</td>
                                    <td><Cap used={t.deposits} cap={m.market.config.depositCap} decimals={d} /></td>
                                    <td><Cap used={t.borrows} cap={m.market.config.borrowCap} decimals={d} /></td>
                                    <td className="num">
                                        {formatPct(weightPct(w.initAssetWeightBps))} / {formatPct(weightPct(w.maintAssetWeightBps))}
                                        {e.group !== 0 && (
                                            <div className="sub">
                                                e-mode {e.group}: {formatPct(weightPct(e.initAssetWeightBps))} / {formatPct(weightPct(e.maintAssetWeightBps))}
                                            </div>
                                        )}
                                    </td>
                                    <td className="num">
                                        {formatPct(b.minBonusBps / 10_000)}–{formatPct(b.maxBonusBps / 10_000)}
                                    </td>
                                </tr>
                            );
                        })}
                    </tbody>
                </table>
            </div>
            <p className="hint">Collateral weight: to borrow / before liquidation. Rates are the interest curve at today's utilisation.</p>
        </section>
    );
}
