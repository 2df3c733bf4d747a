// `keel localnet` for the client tests: start one (the `keel` binary: KEEL_BIN, else the debug
// build), read the pool it lists, fund wallets with its faucet, stop it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// compiled to dist/test/support/: the repository root is five levels up
export const KEEL = process.env.KEEL_BIN ?? join(__dirname, '../../../../../target/debug/keel');

export type Market = {
    symbol: string;
    market: string;
    mint: string;
    token_program: string;
    price_account: string;
    decimals: number;
};
export type Pool = { pool: string; admin: string; markets: Market[] };

export class Localnet {
    private constructor(
        readonly child: ChildProcess,
        readonly dir: string,
        readonly url: string,
        readonly wsUrl: string,
        readonly pool: Pool,
    ) {}

    /** A localnet on `port` (websocket on `port + 1`), `slotMs` per slot; resolves once its pool is listed. */
    static async start(port: number, slotMs = 400): Promise<Localnet> {
        const dir = mkdtempSync(join(tmpdir(), 'keel-ts-'));
        const args = ['localnet', '--port', String(port), '--dir', dir, '--slot-ms', String(slotMs)];
        const child = spawn(KEEL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', d => (stderr += d));
        const file = join(dir, 'pool.json');
        for (let i = 0; !existsSync(file); i++) {
            if (child.exitCode !== null || i > 1_200) {
                child.kill();
                throw new Error(`keel localnet did not start:\n${stderr}`);
            }
            await new Promise(r => setTimeout(r, 100));
        }
        // written whole once the pool is listed; read it when it parses
        let pool: Pool | undefined;
        while (!pool) {
            try {
                pool = JSON.parse(readFileSync(file, 'utf8'));
            } catch {
                await new Promise(r => setTimeout(r, 50));
            }
        }
        return new Localnet(child, dir, `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port + 1}`, pool);
    }

    market(symbol: string): Market {
        const m = this.pool.markets.find(m => m.symbol === symbol);
        if (!m) throw new Error(`no market ${symbol}`);
        return m;
    }

    /** `keel <args>` against this localnet. */
    async keel(args: string[]): Promise<string> {
        const { stdout } = await promisify(execFile)(KEEL, ['--url', this.url, ...args]);
        return stdout;
    }

    /** The faucet: `amount` tokens of `symbol` to `owner`'s associated account (created if missing). */
    async mint(symbol: string, owner: string, amount: string): Promise<string> {
        const out = await this.keel(['localnet', '--dir', this.dir, 'mint', symbol, amount, '--to', owner]);
        const account = /token account (\w+)/.exec(out)?.[1];
        if (!account) throw new Error(`keel localnet mint: ${out}`);
        return account;
    }

    /** `keel localnet price SYMBOL USD`. */
    async price(symbol: string, usd: number): Promise<void> {
        await this.keel(['localnet', '--dir', this.dir, 'price', symbol, String(usd)]);
    }

    /** The admin's keypair bytes (the test mints' authority). */
    adminSecret(): Uint8Array {
        return Uint8Array.from(JSON.parse(readFileSync(join(this.dir, 'admin.json'), 'utf8')));
    }

    stop() {
        this.child.kill();
        rmSync(this.dir, { recursive: true, force: true });
    }
}
