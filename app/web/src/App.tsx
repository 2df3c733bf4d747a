// The page: the wallet bar, the pool, the trader's account and what they can do with it, their
// history. Everything re-reads on the notifications of the accounts it shows.
import { getOpenAccountInstruction, type HealthReport, type MarginAccount } from '@keel/client';
import type { Address, TransactionPartialSigner } from '@solana/kit';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AccountPanel } from './AccountPanel';
import { ActionForm } from './ActionForm';
import { oracleGroups } from './actions';
import { loadPool, marginAccountOf, watch, type PoolView } from './chain';
import { History } from './History';
import { PoolTable } from './PoolTable';
import { Protect } from './Protect';
import { describeError, preview, send, type Stage } from './tx';
import { connect, disconnect, onAccountsChange, walletSigner, watchWallets } from './wallet';
import { WalletBar } from './WalletBar';

type Connected = { wallet: Wallet; account: WalletAccount };

export function App() {
    const [pool, setPool] = useState<PoolView | null>(null);
    const [loadError, setLoadError] = useState<string | null>(null);
    const [wallets, setWallets] = useState<Wallet[]>([]);
    const [connected, setConnected] = useState<Connected | null>(null);
    const [margin, setMargin] = useState<{ key: Address; account: MarginAccount | null } | null>(null);
    const [report, setReport] = useState<HealthReport | null>(null);
    const [tick, setTick] = useState(0);
    const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
    const [openStage, setOpenStage] = useState<Stage | null>(null);
    const [openError, setOpenError] = useState<string | null>(null);

    const refresh = useCallback(() => setTick(t => t + 1), []);
    useEffect(() => watchWallets(setWallets), []);
    useEffect(() => {
        const id = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 5_000);
        return () => clearInterval(id);
    }, []);
    useEffect(() => {
        loadPool()
            .then(p => (setPool(p), setLoadError(null)))
            .catch(e => setLoadError(describeError(e)));
    }, [tick]);

    const signer: TransactionPartialSigner | null = useMemo(
        () => (connected ? walletSigner(connected.wallet, connected.account) : null),
        [connected],
    );

    // the trader's account and the program's health report for it
    useEffect(() => {
        if (!pool || !connected) return setMargin(null), setReport(null);
        let live = true;
        void (async () => {
            const m = await marginAccountOf(pool.key, connected.account.address as Address);
            if (!live) return;
            setMargin(m);
            if (m.account && m.account.positionCount > 0) {
                const r = await preview(connected.account.address as Address, [], m.key, oracleGroups(pool)).catch(e => {
                    console.error(`health: ${describeError(e)}`);
                    return null;
                });
                if (live) setReport(r);
            } else setReport(null);
        })();
        return () => void (live = false);
    }, [pool, connected]);

    // live: the margin account, every market and every price account
    const watched = useMemo(() => {
        if (!pool) return [];
        const keys: Address[] = pool.markets.flatMap(m => [m.key, m.market.config.oracle.priceAccount]);
        if (margin) keys.push(margin.key);
        return keys;
    }, [pool?.key, pool?.markets.length, margin?.key]);
    useEffect(() => {
        if (watched.length === 0) return;
        let pending: ReturnType<typeof setTimeout> | null = null;
        // prices republish every second: coalesce into one re-read at most every 2 s
        const stop = watch(watched, () => {
            pending ??= setTimeout(() => ((pending = null), refresh()), 2_000);
        });
        return () => {
            stop();
            if (pending) clearTimeout(pending);
        };
    }, [watched.join(','), refresh]);

    const onConnect = async (w: Wallet) => {
        try {
            const account = await connect(w);
            setConnected({ wallet: w, account });
        } catch (e) {
            setLoadError(describeError(e));
        }
    };
    useEffect(() => {
        if (!connected) return;
        return onAccountsChange(connected.wallet, accounts =>
            setConnected(accounts.length ? { wallet: connected.wallet, account: accounts[0] } : null),
        );
    }, [connected]);
    const onDisconnect = async () => {
        if (connected) await disconnect(connected.wallet).catch(() => {});
        setConnected(null);
    };

    const open = async () => {
        if (!signer || !pool || !margin) return;
        setOpenError(null);
        try {
            await send(signer, [getOpenAccountInstruction({ owner: signer, payer: signer, pool: pool.key, marginAccount: margin.key, accountId: 0 })], setOpenStage);
            refresh();
        } catch (e) {
            setOpenStage('failed');
            setOpenError(describeError(e));
        }
    };

    return (
        <>
            <WalletBar wallets={wallets} connected={connected} onConnect={w => void onConnect(w)} onDisconnect={() => void onDisconnect()} />
            <main>
                {loadError && <p className="error" role="alert">{loadError}</p>}
                {!pool && !loadError && <p className="hint">Loading the pool…</p>}
                {pool && (
                    <>
                        <PoolTable pool={pool} now={now} />
                        {connected ? (
                            <div className="two">
                                <div>
                                    <AccountPanel pool={pool} account={margin?.account ?? null} report={report} onOpen={() => void open()} busy={openStage !== null && !['confirmed', 'failed'].includes(openStage)} />
                                    {openError && <p className="error" role="alert">{openError}</p>}
                                    {margin?.account && <History margin={margin.key} tick={tick} />}
                                </div>
                                <div>
                                    <ActionForm pool={pool} signer={signer} margin={margin} report={report} onDone={refresh} />
                                    {signer && margin?.account && <Protect pool={pool} signer={signer} margin={margin.key} account={margin.account} tick={tick} onDone={refresh} />}
                                </div>
                            </div>
                        ) : (
                            <p className="hint">Connect a wallet to open an account, lend and borrow.</p>
                        )}
                    </>
                )}
            </main>
        </>
    );
}
