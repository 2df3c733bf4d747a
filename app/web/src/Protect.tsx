// Staying safe: deleverage orders (health trigger, stop-loss, take-profit) posted, listed and
// cancelled; the e-mode group the account is in and why; a delegate set or cleared with an
// explicit set of powers.
import type { DeleverageOrder, MarginAccount } from '@keel/client';
import type { Address, TransactionPartialSigner } from '@solana/kit';
import { useEffect, useState } from 'react';
import { positions } from './account';
import type { PoolView } from './chain';
import { AmountError, formatAmount, formatPct, parseAmount, parseDecimal } from './money';
import { NO_DELEGATE, POWERS, cancelOrderIxs, ordersOf, postOrderIxs, setDelegateIxs } from './orders';
import { describeError, send, type Stage } from './tx';

type Props = { pool: PoolView; signer: TransactionPartialSigner; margin: Address; account: MarginAccount; tick: number; onDone: () => void };
type Kind = 'health' | 'below' | 'above';

function emodeWhy(pool: PoolView, account: MarginAccount): string {
    const debts = positions(pool, account, null).filter(p => p.debt > 0n);
    if (debts.length === 0) return 'No e-mode: e-mode follows what you borrow, and you borrow nothing.';
    const groups = new Set(debts.map(d => d.market.market.config.emode.group));
    if (groups.size === 1 && !groups.has(0)) {
        const g = [...groups][0];
        const members = pool.markets.filter(m => m.market.config.emode.group === g).map(m => m.symbol);
        return `E-mode group ${g}: every market you borrow from is in it, so your collateral in ${members.join(', ')} counts at its e-mode weight.`;
    }
    return groups.has(0)
        ? 'No e-mode: you borrow from a market in no e-mode group.'
        : 'No e-mode: you borrow from markets in different groups.';
}

function describeOrder(pool: PoolView, o: DeleverageOrder): string {
    const sym = (k: Address) => pool.markets.find(m => m.key === k)?.symbol ?? k.slice(0, 4);
    const t = o.trigger;
    const when =
        t.__kind === 'HealthBelow'
            ? `health below ${(t.hfBps / 10_000).toFixed(4)}`
            : `${sym(t.market)} ${t.__kind === 'PriceAtOrBelow' ? 'at or below' : 'at or above'} $${formatAmount(t.price[0], 18, 6)}`;
    const repay = pool.markets.find(m => m.key === o.repayMarket);
    return `When ${when}: repay up to ${formatAmount(o.remainingRepay, repay?.market.decimals ?? 0, 4)} ${sym(o.repayMarket)} with ${sym(o.seizeMarket)}, bonus ${formatPct(o.minBonusBps / 10_000)}–${formatPct(o.maxBonusBps / 10_000)}`;
}

export function Protect({ pool, signer, margin, account, tick, onDone }: Props) {
    const [orders, setOrders] = useState<{ key: Address; order: DeleverageOrder }[]>([]);
    const [kind, setKind] = useState<Kind>('health');
    const [threshold, setThreshold] = useState('1.15');
    const [repay, setRepay] = useState(pool.markets[0]?.symbol ?? '');
    const [seize, setSeize] = useState(pool.markets[1]?.symbol ?? '');
    const [maxRepay, setMaxRepay] = useState('');
    const [delegate, setDelegate] = useState('');
    const [powers, setPowers] = useState<number>(0);
    const [stage, setStage] = useState<Stage | null>(null);
    const [failure, setFailure] = useState<string | null>(null);

    useEffect(() => {
        let live = true;
        void ordersOf(margin).then(o => live && setOrders(o)).catch(() => {});
        return () => void (live = false);
    }, [margin, tick, stage]);

    const run = async (build: () => Promise<Parameters<typeof send>[1]>) => {
        setFailure(null);
        try {
            await send(signer, await build(), setStage);
            onDone();
        } catch (e) {
            setStage('failed');
            setFailure(e instanceof AmountError ? e.message : describeError(e));
        }
    };
    const bySymbol = (s: string) => pool.markets.find(m => m.symbol === s)!;

    const post = () =>
        run(async () => {
            const r = bySymbol(repay);
            const s = bySymbol(seize);
            const trigger =
                kind === 'health'
                    ? { __kind: 'HealthBelow' as const, hfBps: Number(parseDecimal(threshold, 4, 2n ** 32n - 1n)) }
                    : { __kind: kind === 'below' ? ('PriceAtOrBelow' as const) : ('PriceAtOrAbove' as const), market: s.key, price: [parseDecimal(threshold, 18, 2n ** 128n - 1n)] as [bigint] };
            return postOrderIxs(signer, margin, orders.map(o => o.order.orderId), {
                trigger,
                repayMarket: r.key,
                seizeMarket: s.key,
                maxRepay: parseAmount(maxRepay, r.market.decimals),
                minBonusBps: 50,
                maxBonusBps: 200,
                expiresAt: 0n,
            });
        });

    const hasDelegate = account.delegate !== NO_DELEGATE;
    return (
        <section className="card" aria-labelledby="protect-title">
            <h2 id="protect-title">Protect</h2>
            <p data-testid="emode">{emodeWhy(pool, account)}</p>
            <h3>Deleverage orders</h3>
            <ul className="orders" data-testid="orders">
                {orders.length === 0 && <li className="hint">No orders.</li>}
                {orders.map(({ key, order }) => (
                    <li key={key}>
                        <span>{describeOrder(pool, order)}</span>
                        <button onClick={() => void run(async () => cancelOrderIxs(signer, margin, key, order))}>Cancel</button>
                    </li>
                ))}
            </ul>
            <form onSubmit={e => (e.preventDefault(), void post())} className="order-form">
                <label>
                    Trigger
                    <select name="trigger" value={kind} onChange={e => setKind(e.target.value as Kind)}>
                        <option value="health">Health factor below</option>
                        <option value="below">Stop-loss: collateral price at or below</option>
                        <option value="above">Take-profit: collateral price at or above</option>
                    </select>
                </label>
                <label>
                    {kind === 'health' ? 'Health factor' : 'Price (USD)'}
                    <input name="threshold" inputMode="decimal" value={threshold} onChange={e => setThreshold(e.target.value)} />
                </label>
                <label>
                    Repay
                    <select name="repay" value={repay} onChange={e => setRepay(e.target.value)}>
                        {pool.markets.map(m => <option key={m.key}>{m.symbol}</option>)}
                    </select>
                </label>
                <label>
                    With collateral
                    <select name="seize" value={seize} onChange={e => setSeize(e.target.value)}>
                        {pool.markets.map(m => <option key={m.key}>{m.symbol}</option>)}
                    </select>
                </label>
                <label>
                    Repay at most ({repay})
                    <input name="max-repay" inputMode="decimal" value={maxRepay} onChange={e => setMaxRepay(e.target.value)} />
                </label>
                <button type="submit">Post order</button>
            </form>
            <h3>Delegate</h3>
            <p data-testid="delegate">
                {hasDelegate
                    ? `${account.delegate} may ${POWERS.filter((_, i) => account.delegatePowers & (1 << i)).join(', ').toLowerCase() || 'nothing'}.`
                    : 'No delegate.'}
            </p>
            <form onSubmit={e => (e.preventDefault(), void run(async () => setDelegateIxs(signer, margin, delegate.trim() as Address, powers)))}>
                <label>
                    Delegate address
                    <input name="delegate" value={delegate} onChange={e => setDelegate(e.target.value)} autoComplete="off" />
                </label>
                <fieldset>
                    <legend>Powers</legend>
                    {POWERS.map((p, i) => (
                        <label key={p} className="inline">
                            <input type="checkbox" checked={(powers & (1 << i)) !== 0} onChange={e => setPowers(x => (e.target.checked ? x | (1 << i) : x & ~(1 << i)))} /> {p}
                        </label>
                    ))}
                </fieldset>
                <button type="submit">Set delegate</button>{' '}
                {hasDelegate && (
                    <button type="button" onClick={() => void run(async () => setDelegateIxs(signer, margin, NO_DELEGATE, 0))}>
                        Clear delegate
                    </button>
                )}
            </form>
            {stage && <p className={`stage stage-${stage}`} role="status">{{ building: 'Preparing…', signing: 'Waiting for your wallet…', sent: 'Sent, confirming…', confirmed: 'Confirmed', failed: 'Failed' }[stage]}</p>}
            {failure && <p className="error" role="alert">{failure}</p>}
        </section>
    );
}
