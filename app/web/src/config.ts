// Which cluster and pool the page speaks to: `?rpc=` (and `?ws=`), else what the build was given
// (VITE_KEEL_RPC), else a local `keel localnet`; `?pool=`, else the localnet's pool.json.
const params = new URLSearchParams(location.search);

export const RPC_URL: string = params.get('rpc') ?? import.meta.env.VITE_KEEL_RPC ?? 'http://127.0.0.1:8899';

/** The websocket Solana clients derive from an HTTP URL: ws(s)://, the port plus one. */
export function wsOf(url: string): string {
    const u = new URL(url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    if (u.port) u.port = String(Number(u.port) + 1);
    return u.toString().replace(/\/$/, '');
}

export const WS_URL: string = params.get('ws') ?? import.meta.env.VITE_KEEL_WS ?? wsOf(RPC_URL);
export const POOL_PARAM: string | null = params.get('pool');
