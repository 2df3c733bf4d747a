// The TypeScript client against `keel localnet` (the real program on the embedded chain, over
// JSON-RPC): open an account, deposit, borrow, read health, repay, withdraw; and the health the
// program reports to this client equals what the Rust SDK computes (`keel status`).
import {
    appendTransactionMessageInstructions,
    createKeyPairSignerFromBytes,
    createSolanaRpc,
    createTransactionMessage,
    getBase64EncodedWireTransaction,
    getSignatureFromTransaction,
    pipe,
    setTransactionMessageFeePayerSigner,
    setTransactionMessageLifetimeUsingBlockhash,
    signTransactionMessageWithSigners,
    type Address,
    type Instruction,
    type KeyPairSigner,
} from '@solana/kit';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
    activePositions,
    decodeHealthReport,
    fetchMarginAccount,
    findMarginAccountPda,
    getBorrowInstruction,
    getDepositInstruction,
    getHealthInstruction,
    getOpenAccountInstruction,
    getRepayInstruction,
    getWithdrawInstruction,
    healthAccounts,
    wadToNumber,
    withRemainingAccounts,
    type MarketOracles,
} from '../src';

// compiled to dist/test/: the repository root is four levels up
const KEEL = process.env.KEEL_BIN ?? join(__dirname, '../../../../target/debug/keel');
const PORT = 18_000 + (process.pid % 1_000);
const URL = `http://127.0.0.1:${PORT}`;
const rpc = createSolanaRpc(URL);

type Market = { symbol: string; market: Address; mint: Address; token_program: Address; price_account: Address; decimals: number };
let localnet: ChildProcess;
let dir: string;
let pool: Address;
let markets: Market[];

async function call(method: string, params: unknown[]): Promise<any> {
    const res = await fetch(URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
}

before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-ts-'));
    localnet = spawn(KEEL, ['localnet', '--port', String(PORT), '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 600; i++) {
        try {
            if ((await call('getHealth', [])) === 'ok') break;
        } catch {
            await new Promise(r => setTimeout(r, 100));
        }
    }
    const described = await call('keel_pool', []);
    pool = described.pool;
    markets = described.markets;
});

after(() => {
    localnet?.kill();
    rmSync(dir, { recursive: true, force: true });
});

/** A new wallet with SOL for fees: its signer and its Solana CLI keypair file. */
async function wallet(name: string): Promise<{ signer: KeyPairSigner; file: string }> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const secret = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const bytes = new Uint8Array([...secret, ...pub]);
    const signer = await createKeyPairSignerFromBytes(bytes);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify([...bytes]));
    const sig = await call('requestAirdrop', [signer.address, 10_000_000_000]);
    assert.equal(typeof sig, 'string');
    return { signer, file };
}

/** Send `ixs` paid and signed by `signer`; wait until final; throws with the program's error. */
async function send(signer: KeyPairSigner, ixs: Instruction[]) {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        m => setTransactionMessageFeePayerSigner(signer, m),
        m => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        m => appendTransactionMessageInstructions(ixs, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    await rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send();
    const signature = getSignatureFromTransaction(tx);
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    assert.equal(value[0]?.err ?? null, null);
    return signature;
}

const bySymbol = (s: string) => markets.find(m => m.symbol === s)!;
const oracles = (m: Market): MarketOracles => ({ market: m.market, priceUpdate: m.price_account });
const vault = async (m: Market) =>
    (await import('../src')).findVaultPda({ market: m.market }).then(([a]) => a);

async function tokenAccount(owner: KeyPairSigner, m: Market, amount: string): Promise<Address> {
    const out = await call('keel_mintTo', [m.symbol, owner.address, amount]);
    return out.token_account;
}

async function accountsOf(m: Market) {
    return { pool, market: m.market, vault: await vault(m), mint: m.mint, tokenProgram: m.token_program };
}

test('open, deposit, borrow, health, repay, withdraw; the same health as the Rust SDK', { timeout: 120_000 }, async () => {
    const [sol, usdc] = [bySymbol('SOL'), bySymbol('USDC')];
    // a lender of USDC
    const lender = await wallet('lender');
    const lenderUsdc = await tokenAccount(lender.signer, usdc, '100000');
    const [lenderMargin] = await findMarginAccountPda({ pool, owner: lender.signer.address, accountId: 0 });
    await send(lender.signer, [
        getOpenAccountInstruction({ owner: lender.signer, payer: lender.signer, pool, marginAccount: lenderMargin, accountId: 0 }),
        getDepositInstruction({ authority: lender.signer, marginAccount: lenderMargin, ...(await accountsOf(usdc)), tokenAccount: lenderUsdc, amount: 100_000_000_000n }),
    ]);

    // the trader: 10 SOL in, 500 USDC out
    const trader = await wallet('trader');
    const traderSol = await tokenAccount(trader.signer, sol, '10');
    const traderUsdc = await tokenAccount(trader.signer, usdc, '1');
    const [margin] = await findMarginAccountPda({ pool, owner: trader.signer.address, accountId: 0 });
    await send(trader.signer, [
        getOpenAccountInstruction({ owner: trader.signer, payer: trader.signer, pool, marginAccount: margin, accountId: 0 }),
        getDepositInstruction({ authority: trader.signer, marginAccount: margin, ...(await accountsOf(sol)), tokenAccount: traderSol, amount: 10n * 10n ** BigInt(sol.decimals) }),
    ]);
    const groups = healthAccounts([oracles(sol), oracles(usdc)]);
    await send(trader.signer, [
        withRemainingAccounts(
            getBorrowInstruction({ authority: trader.signer, marginAccount: margin, ...(await accountsOf(usdc)), tokenAccount: traderUsdc, amount: 500_000_000n }),
            groups,
        ),
    ]);
    const account = await fetchMarginAccount(rpc, margin);
    assert.deepEqual(activePositions(account.data).map(p => p.market).sort(), [sol.market, usdc.market].sort());

    // health: the program's own report (a simulated `health`), decoded by this client
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        m => setTransactionMessageFeePayerSigner(trader.signer, m),
        m => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        m => appendTransactionMessageInstructions([withRemainingAccounts(getHealthInstruction({ marginAccount: margin }), groups)], m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    const sim = await rpc.simulateTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send();
    assert.equal(sim.value.err, null);
    const report = decodeHealthReport(sim.value.returnData!.data[0]);
    assert.equal(report.liquidatable, false);
    assert.equal(report.meetsInitial, true);
    // and the Rust SDK's, through `keel status`
    const { stdout } = await promisify(execFile)(KEEL, ['--json', '--url', URL, '--keypair', trader.file, '--pool', pool, 'status']);
    const status = JSON.parse(stdout);
    for (const [ts, rust] of [
        [report.collateralMaint, status.collateral_maint],
        [report.debtMaint, status.debt_maint],
        [report.collateralInit, status.collateral_init],
        [report.debtInit, status.debt_init],
    ] as const) {
        assert.ok(Math.abs(wadToNumber(ts) - rust) < 0.005, `${wadToNumber(ts)} vs ${rust}`);
    }
    assert.ok(wadToNumber(report.debtMaint) > 500);

    // repay everything (u64::MAX), withdraw everything: the account is empty again
    await send(trader.signer, [
        getRepayInstruction({ payer: trader.signer, marginAccount: margin, ...(await accountsOf(usdc)), source: traderUsdc, amount: 2n ** 64n - 1n }),
        getWithdrawInstruction({ authority: trader.signer, marginAccount: margin, ...(await accountsOf(sol)), tokenAccount: traderSol, amount: 2n ** 64n - 1n }),
    ]);
    const after = await fetchMarginAccount(rpc, margin);
    assert.equal(after.data.positionCount, 0);
    const balance = await rpc.getTokenAccountBalance(traderSol).send();
    assert.equal(balance.value.amount, (10n * 10n ** BigInt(sol.decimals)).toString());
});
