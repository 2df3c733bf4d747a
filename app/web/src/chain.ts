// The cluster as the page reads it: the pool's markets (from the chain; symbols from a localnet's
// pool.json), their Pyth prices, a trader's margin account, and subscriptions to all of them.
import {
    address,
    createSolanaRpc,
    createSolanaRpcSubscriptions,
    getBase58Decoder,
    getBase64Encoder,
    type Address,
    type Base58EncodedBytes,
} from '@solana/kit';
import {
    KEEL_PROGRAM_ADDRESS,
    decodeMarginAccount,
    findMarginAccountPda,
    getMarginAccountDecoder,
    getMarketDecoder,
    getPoolDecoder,
    type MarginAccount,
    type Market,
    type Pool,
} from '@keel/client';
import { MARKET_DISCRIMINATOR, POOL_DISCRIMINATOR } from '@keel/client';
import { POOL_PARAM, RPC_URL, WS_URL } from './config';
import { decodePythPrice, type PythPrice } from './prices';

export const rpc = createSolanaRpc(RPC_URL);
export const rpcSubscriptions = createSolanaRpcSubscriptions(WS_URL);

export type MarketView = {
    key: Address;
    symbol: string;
    market: Market;
    price: PythPrice | null;
};

export type PoolView = { key: Address; pool: Pool; markets: MarketView[] };

const b58 = getBase58Decoder();
const b64 = getBase64Encoder();
const bytes = (data: readonly [string, string]) => b64.encode(data[0]) as Uint8Array;

type LocalPool = { pool: string; markets: { symbol: string; market: string }[] };

async function localPool(): Promise<LocalPool | null> {
    try {
        const res = await fetch('/pool.json');
        if (!res.ok) return null;
        const body = (await res.json()) as LocalPool;
        return body.pool ? body : null;
    } catch {
        return null;
    }
}

/** The pool the page shows: `?pool=`, else the local pool.json's, else the first on chain. */
async function poolKey(local: LocalPool | null): Promise<Address> {
    if (POOL_PARAM) return address(POOL_PARAM);
    if (local) return address(local.pool);
    const pools = await rpc
        .getProgramAccounts(KEEL_PROGRAM_ADDRESS, {
            encoding: 'base64',
            dataSlice: { offset: 0, length: 0 },
            filters: [{ memcmp: { offset: 0n, bytes: b58.decode(POOL_DISCRIMINATOR) as Base58EncodedBytes, encoding: 'base58' } }],
        })
        .send();
    if (pools.length === 0) throw new Error(`no Keel pool on ${RPC_URL}`);
    return pools[0].pubkey;
}

export async function loadPool(): Promise<PoolView> {
    const local = await localPool();
    const key = await poolKey(local);
    const poolAccount = await rpc.getAccountInfo(key, { encoding: 'base64' }).send();
    if (!poolAccount.value) throw new Error(`pool ${key} not found on ${RPC_URL}`);
    const pool = getPoolDecoder().decode(bytes(poolAccount.value.data));
    const found = await rpc
        .getProgramAccounts(KEEL_PROGRAM_ADDRESS, {
            encoding: 'base64',
            filters: [
                { memcmp: { offset: 0n, bytes: b58.decode(MARKET_DISCRIMINATOR) as Base58EncodedBytes, encoding: 'base58' } },
                { memcmp: { offset: 8n, bytes: key as unknown as Base58EncodedBytes, encoding: 'base58' } },
            ],
        })
        .send();
    const markets = found.map(({ pubkey, account }) => {
        const market = getMarketDecoder().decode(bytes(account.data));
        const symbol = local?.markets.find(m => m.market === pubkey)?.symbol ?? `${market.mint.slice(0, 4)}…`;
        return { key: pubkey, symbol, market, price: null as PythPrice | null };
    });
    const order = local?.markets.map(m => m.market) ?? [];
    markets.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key) || a.key.localeCompare(b.key));
    const prices = await rpc
        .getMultipleAccounts(markets.map(m => m.market.config.oracle.priceAccount), { encoding: 'base64' })
        .send();
    prices.value.forEach((a, i) => (markets[i].price = a ? decodePythPrice(bytes(a.data)) : null));
    return { key, pool, markets };
}

export async function marginAccountOf(pool: Address, owner: Address): Promise<{ key: Address; account: MarginAccount | null }> {
    const [key] = await findMarginAccountPda({ pool, owner, accountId: 0 });
    const info = await rpc.getAccountInfo(key, { encoding: 'base64' }).send();
    return { key, account: info.value ? getMarginAccountDecoder().decode(bytes(info.value.data)) : null };
}

/** Call `onChange` whenever any of `keys` changes (websocket accountSubscribe); returns a stop. */
export function watch(keys: Address[], onChange: () => void): () => void {
    const abort = new AbortController();
    for (const key of keys) {
        void (async () => {
            try {
                const stream = await rpcSubscriptions
                    .accountNotifications(key, { commitment: 'confirmed', encoding: 'base64' })
                    .subscribe({ abortSignal: abort.signal });
                for await (const _ of stream) onChange();
            } catch {
                /* aborted or the socket closed: the page keeps its last view */
            }
        })();
    }
    return () => abort.abort();
}

/** A token account's balance in base units (0 when it does not exist). */
export async function tokenBalance(account: Address): Promise<bigint> {
    try {
        const { value } = await rpc.getTokenAccountBalance(account, { commitment: 'confirmed' }).send();
        return BigInt(value.amount);
    } catch {
        return 0n;
    }
}

export { decodeMarginAccount };
