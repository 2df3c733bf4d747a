// The account's history: every transaction that touched it (its own, and others' liquidations and
// order executions), newest first, named by the Keel instructions it ran.
import type { Address } from '@solana/kit';
import { useEffect, useState } from 'react';
import { rpc } from './chain';

type Entry = { signature: string; time: number | null; what: string[]; ok: boolean };

const NAMES = /Program log: Instruction: (\w+)/;

export function History({ margin, tick }: { margin: Address; tick: number }) {
    const [entries, setEntries] = useState<Entry[]>([]);
    useEffect(() => {
        let live = true;
        void (async () => {
            const sigs = await rpc.getSignaturesForAddress(margin, { limit: 20, commitment: 'confirmed' }).send();
            const out: Entry[] = [];
            for (const s of sigs) {
                const tx = await rpc
                    .getTransaction(s.signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed', encoding: 'json' })
                    .send();
                const what = (tx?.meta?.logMessages ?? []).flatMap(l => NAMES.exec(l)?.[1] ?? []).filter(n => !/^(CreateIdempotent|Transfer\w*)$/.test(n));
                out.push({ signature: s.signature, time: s.blockTime === null ? null : Number(s.blockTime), what, ok: s.err === null });
            }
            if (live) setEntries(out);
        })().catch(() => {});
        return () => void (live = false);
    }, [margin, tick]);
    return (
        <section className="card" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ol className="history" data-testid="history">
                {entries.map(e => (
                    <li key={e.signature} className={e.ok ? '' : 'failed'}>
                        <span className="what">{e.what.join(', ') || 'transaction'}</span>
                        <time>{e.time ? new Date(e.time * 1000).toLocaleString() : ''}</time>
                        <code title={e.signature}>{e.signature.slice(0, 8)}…</code>
                    </li>
                ))}
            </ol>
        </section>
    );
}
