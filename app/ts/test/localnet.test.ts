// The TypeScript client against `keel localnet` (the SBF keel.so on the Surfpool validator): open
// an account, deposit, borrow, read health, repay, withdraw, every transaction through kit's own
// `sendAndConfirmTransactionFactory` (websocket signature notifications) and the wallet funded by
// kit's `airdropFactory`; and the health the program reports to this client equals what the Rust
// SDK computes (`keel status`).
import {
    address,
    airdropFactory,
    appendTransactionMessageInstructions,
    assertIsTransactionWithBlockhashLifetime,
    createSolanaRpcSubscriptions,
    devnet,
    lamports,
    sendAndConfirmTransactionFactory,
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
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { Localnet, type Market as PoolMarket } from './support/localnet';

type Market = Omit<PoolMarket, 'market' | 'mint' | 'token_program' | 'price_account'> & {
    market: Address;
    mint: Address;
    token_program: Address;
    price_account: Address;
};

const PORT = 18_000 + 2 * (process.pid % 500);
/** kit's clients of a test cluster (typed as devnet: the cluster kit lets airdrop). */
function connect(url: string, wsUrl: string) {
    const rpc = createSolanaRpc(devnet(url));
    const rpcSubscriptions = createSolanaRpcSubscriptions(devnet(wsUrl));
    return {
        rpc,
        sendAndConfirm: sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions }),
        airdrop: airdropFactory({ rpc, rpcSubscriptions }),
    };
}
let net: Localnet;
let rpc: ReturnType<typeof connect>['rpc'];
let sendAndConfirm: ReturnType<typeof connect>['sendAndConfirm'];
let airdrop: ReturnType<typeof connect>['airdrop'];
let pool: Address;
let markets: Market[];

before(async () => {
    net = await Localnet.start(PORT);
    ({ rpc, sendAndConfirm, airdrop } = connect(net.url, net.wsUrl));
    pool = address(net.pool.pool);
    markets = net.pool.markets.map(m => ({
        ...m,
        market: address(m.market),
        mint: address(m.mint),
        token_program: address(m.token_program),
        price_account: address(m.price_account),
    }));
});

after(() => net?.stop());

/** A new wallet with SOL for fees: its signer and its Solana CLI keypair file. */
async function wallet(name: string): Promise<{ signer: KeyPairSigner; file: string }> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const secret = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const bytes = new Uint8Array([...secret, ...pub]);
    const signer = await createKeyPairSignerFromBytes(bytes);
    const file = join(net.dir, `${name}.json`);
    writeFileSync(file, JSON.stringify([...bytes]));
    await airdrop({ recipientAddress: signer.address, lamports: lamports(10_000_000_000n), commitment: 'confirmed' });
    return { signer, file };
}

/** Send `ixs` paid and signed by `signer` and wait until confirmed; throws with the program's error. */
async function send(signer: KeyPairSigner, ixs: Instruction[]) {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        m => setTransactionMessageFeePayerSigner(signer, m),
        m => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        m => appendTransactionMessageInstructions(ixs, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    assertIsTransactionWithBlockhashLifetime(tx);
    await sendAndConfirm(tx, { commitment: 'confirmed' });
    return getSignatureFromTransaction(tx);
}

const bySymbol = (s: string) => markets.find(m => m.symbol === s)!;
const oracles = (m: Market): MarketOracles => ({ market: m.market, priceUpdate: m.price_account });
const vault = async (m: Market) =>
    (await import('../src')).findVaultPda({ market: m.market }).then(([a]) => a);

async function tokenAccount(owner: KeyPairSigner, m: Market, amount: string): Promise<Address> {
    return address(await net.mint(m.symbol, owner.address, amount));
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
    const { stdout } = { stdout: await net.keel(['--json', '--keypair', trader.file, '--pool', pool, 'status']) };
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
