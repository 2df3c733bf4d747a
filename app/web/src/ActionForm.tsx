// Deposit, withdraw, borrow, repay: amounts typed in tokens (exact, bigint), a "max" that is the
// most the program allows, a preview of the health after the action computed by the program
// (a simulation with `health` appended), and the transaction's progress.
import type { HealthReport } from '@keel/client';
import type { TransactionPartialSigner } from '@solana/kit';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { ACTIONS, ALL, actionIxs, largestPassing, oracleGroups, vaultBalance, walletTokenAccount, type Action } from './actions';
import { healthText } from './AccountPanel';
import { positions } from './account';
import { tokenBalance, type PoolView } from './chain';
import type { MarginAccount } from '@keel/client';
import { AmountError, formatAmount, formatPrice, formatUsd, parseAmount, wad } from './money';
import { describeError, previewWithAccount, send, type Stage } from './tx';

type Props = {
    pool: PoolView;
    signer: TransactionPartialSigner | null;
    margin: { key: string; account: MarginAccount | null } | null;
    report: HealthReport | null;
    onDone: () => void;
};

type Preview =
    | { state: 'idle' }
    | { state: 'checking' }
    | { state: 'ok'; report: HealthReport; account: MarginAccount | null }
    | { state: 'refused'; reason: string };

export function ActionForm({ pool, signer, margin, report, onDone }: Props) {
    const [action, setAction] = useState<Action>('deposit');
    const [symbol, setSymbol] = useState(pool.markets[0]?.symbol ?? '');
    const [text, setText] = useState('');
    const [all, setAll] = useState(false);
    const [balance, setBalance] = useState<bigint | null>(null);
    const [check, setCheck] = useState<Preview>({ state: 'idle' });
    const [stage, setStage] = useState<Stage | null>(null);
    const [failure, setFailure] = useState<string | null>(null);
    const [computingMax, setComputingMax] = useState(false);
    // a max still being computed is dropped when the trader types or switches meanwhile
    const maxRun = useRef(0);
    const m = pool.markets.find(x => x.symbol === symbol) ?? pool.markets[0];
    const decimals = m?.market.decimals ?? 0;
    const account = margin?.account ?? null;
    const held = useMemo(() => (account ? positions(pool, account, report).find(p => p.market.key === m?.key) : undefined), [pool, account, report, m]);

    useEffect(() => {
        let live = true;
        if (signer && m) void walletTokenAccount(signer.address, m).then(tokenBalance).then(b => live && setBalance(b));
        else setBalance(null);
        return () => void (live = false);
    }, [signer, m, stage]);

    // the amount, or why it is refused before anything is simulated
    const parsed = useMemo((): { units: bigint } | { error: string } | null => {
        if (!signer) return { error: 'Connect a wallet first' };
        if (!account) return { error: 'Open a margin account first' };
        if (all) return { units: ALL };
        if (text.trim() === '') return null;
        try {
            const units = parseAmount(text, decimals);
            if ((action === 'deposit' || action === 'repay') && balance !== null && units > balance) {
                return { error: `More than your wallet holds (${formatAmount(balance, decimals)} ${m.symbol})` };
            }
            return { units };
        } catch (e) {
            return { error: e instanceof AmountError ? e.message : String(e) };
        }
    }, [signer, account, all, text, decimals, action, balance, m]);

    const simulate = async (units: bigint) => {
        const ixs = await actionIxs(action, pool, m, signer!, margin!.key as never, units);
        return previewWithAccount(signer!.address, ixs, margin!.key as never, oracleGroups(pool));
    };

    useEffect(() => {
        if (!parsed || 'error' in parsed) return setCheck({ state: 'idle' });
        let live = true;
        setCheck({ state: 'checking' });
        const t = setTimeout(() => {
            simulate(parsed.units)
                .then(r => live && setCheck({ state: 'ok', ...r }))
                .catch(e => live && setCheck({ state: 'refused', reason: describeError(e) }));
        }, 250);
        return () => {
            live = false;
            clearTimeout(t);
        };
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [parsed, action, symbol, pool]);

    const max = async () => {
        if (!signer || !account || !m) return;
        const run = ++maxRun.current;
        const setTextIfCurrent = (t: string) => run === maxRun.current && setText(t);
        setComputingMax(true);
        setFailure(null);
        try {
            const wallet = balance ?? 0n;
            if (action === 'deposit') {
                setAll(false);
                setTextIfCurrent(formatAmount(wallet, decimals).replace(/,/g, ''));
            } else if (action === 'repay') {
                // all of the debt when the wallet covers it (the program repays exactly what is owed)
                if (held && wallet >= held.debt + 1n) setAll(true);
                else {
                    setAll(false);
                    setTextIfCurrent(formatAmount(wallet < (held?.debt ?? 0n) ? wallet : held?.debt ?? 0n, decimals).replace(/,/g, ''));
                }
            } else {
                const upper = action === 'withdraw' ? held?.deposit ?? 0n : await vaultBalance(m);
                const best = await largestPassing(upper, units => simulate(units).then(() => true, () => false));
                if (run === maxRun.current) setAll(false);
                setTextIfCurrent(formatAmount(best, decimals).replace(/,/g, ''));
            }
        } finally {
            setComputingMax(false);
        }
    };

    const submit = async () => {
        if (!parsed || 'error' in parsed || check.state !== 'ok') return;
        setFailure(null);
        try {
            const ixs = await actionIxs(action, pool, m, signer!, margin!.key as never, parsed.units);
            await send(signer!, ixs, setStage);
            setText('');
            setAll(false);
            onDone();
        } catch (e) {
            setStage('failed');
            setFailure(describeError(e));
        }
    };

    const after = check.state === 'ok' ? check.report : null;
    const liquidationAfter = check.state === 'ok' && check.account ? positions(pool, check.account, check.report).filter(p => p.liquidationPrice !== null) : [];
    return (
        <section className="card" aria-labelledby="act-title">
            <h2 id="act-title">Lend and borrow</h2>
            <div className="tabs" role="tablist">
                {ACTIONS.map(a => (
                    <button key={a} role="tab" aria-selected={a === action} onClick={() => (setAction(a), setAll(false))}>
                        {a[0].toUpperCase() + a.slice(1)}
                    </button>
                ))}
            </div>
            <form onSubmit={e => (e.preventDefault(), void submit())}>
                <label>
                    Market
                    <select value={symbol} onChange={e => setSymbol(e.target.value)} name="market">
                        {pool.markets.map(x => (
                            <option key={x.key} value={x.symbol}>{x.symbol}</option>
                        ))}
                    </select>
                </label>
                <label>
                    Amount ({m?.symbol})
                    <span className="amount">
                        <input
                            name="amount"
                            inputMode="decimal"
                            autoComplete="off"
                            value={all ? 'all' : text}
                            onChange={e => (maxRun.current++, setAll(false), setText(e.target.value))}
                            aria-invalid={!!parsed && 'error' in parsed}
                        />
                        <button type="button" onClick={() => void max()} disabled={!signer || !account || computingMax}>
                            {computingMax ? '…' : 'Max'}
                        </button>
                    </span>
                </label>
                {balance !== null && <p className="hint">Wallet: {formatAmount(balance, decimals)} {m?.symbol}</p>}
                {parsed && 'error' in parsed && <p className="error" role="alert">{parsed.error}</p>}
                {check.state === 'refused' && <p className="error" role="alert" data-testid="refusal">Refused before signing: {check.reason}</p>}
                {check.state === 'checking' && <p className="hint">Checking with the program…</p>}
                {after && (
                    <dl className="facts preview" data-testid="preview">
                        <dt>Health factor after</dt>
                        <dd data-testid="preview-hf">{healthText(after)}</dd>
                        <dt>Borrowing power after</dt>
                        <dd>{formatUsd(Math.max(0, wad(after.collateralInit) - wad(after.debtInit)))}</dd>
                        {liquidationAfter.map(p => (
                            <Fragment key={p.market.key}>
                                <dt>{p.market.symbol} liquidation price after</dt>
                                <dd data-testid={`preview-liq-${p.market.symbol}`}>{formatPrice(p.liquidationPrice!)}</dd>
                            </Fragment>
                        ))}
                    </dl>
                )}
                <button type="submit" className="primary" disabled={check.state !== 'ok' || (stage !== null && !['confirmed', 'failed'].includes(stage))}>
                    {action[0].toUpperCase() + action.slice(1)}
                </button>
                {stage && (
                    <p className={`stage stage-${stage}`} role="status" data-testid="stage">
                        {{ building: 'Preparing…', signing: 'Waiting for your wallet…', sent: 'Sent, confirming…', confirmed: 'Confirmed', failed: 'Failed' }[stage]}
                    </p>
                )}
                {failure && <p className="error" role="alert" data-testid="failure">{failure}</p>}
            </form>
        </section>
    );
}
