// The clients wallets and front ends use, unmodified, against `keel localnet`: @solana/web3.js 1.x
// (airdrop and confirm, sendAndConfirmTransaction of Keel instructions, websocket subscriptions,
// history, blocks, parsed reads, simulation) and @solana/spl-token (an associated token account,
// mintTo by the test mint's authority). A second localnet with 20 ms slots ages a blockhash out:
// the validator refuses it and web3.js reports the expiry.
import {
    Connection,
    Keypair,
    LAMPORTS_PER_SOL,
    PublicKey,
    SystemProgram,
    Transaction,
    TransactionExpiredBlockheightExceededError,
    TransactionInstruction,
    TransactionMessage,
    VersionedTransaction,
    sendAndConfirmTransaction,
} from '@solana/web3.js';
import {
    createAssociatedTokenAccount,
    getAccount,
    getAssociatedTokenAddressSync,
    mintTo,
} from '@solana/spl-token';
import { AccountRole, address, createNoopSigner, getBase58Decoder, type Instruction } from '@solana/kit';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KEEL_PROGRAM_ADDRESS, findMarginAccountPda, findVaultPda, getDepositInstruction, getOpenAccountInstruction } from '../src';
import { Localnet } from './support/localnet';

const PORT = 19_000 + 2 * (process.pid % 500);
let net: Localnet;
let connection: Connection;

before(async () => {
    net = await Localnet.start(PORT);
    connection = new Connection(net.url, { commitment: 'confirmed', wsEndpoint: net.wsUrl });
});

/** Close a web3.js connection's websocket (1.x has no public close; left open, it reconnects forever once the cluster stops). */
function closeSocket(c: Connection | undefined) {
    (c as unknown as { _rpcWebSocket?: { close(): void } } | undefined)?._rpcWebSocket?.close();
}

after(() => {
    closeSocket(connection);
    net?.stop();
});

/** A generated (kit) instruction as web3.js carries it. */
function toWeb3(ix: Instruction): TransactionInstruction {
    return new TransactionInstruction({
        programId: new PublicKey(ix.programAddress),
        keys: (ix.accounts ?? []).map(a => ({
            pubkey: new PublicKey(a.address),
            isSigner: a.role === AccountRole.READONLY_SIGNER || a.role === AccountRole.WRITABLE_SIGNER,
            isWritable: a.role === AccountRole.WRITABLE || a.role === AccountRole.WRITABLE_SIGNER,
        })),
        data: Buffer.from(ix.data ?? new Uint8Array()),
    });
}

/** A wallet with `sol` SOL, airdropped and confirmed the way web3.js does it. */
async function funded(sol = 10): Promise<Keypair> {
    const wallet = Keypair.generate();
    const signature = await connection.requestAirdrop(wallet.publicKey, sol * LAMPORTS_PER_SOL);
    const latest = await connection.getLatestBlockhash();
    const { value } = await connection.confirmTransaction({ signature, ...latest });
    assert.equal(value.err, null);
    return wallet;
}

/** Resolves once `arm` has seen a notification (rejects after 10 s). */
function fired(name: string, arm: (done: () => void) => Promise<() => Promise<void>>) {
    let done!: () => void;
    const seen = new Promise<void>(r => (done = r));
    const unsubscribe = arm(() => done());
    return {
        seen: Promise.race([
            seen,
            new Promise<never>((_, no) => setTimeout(() => no(new Error(`${name}: no notification in 10 s`)), 10_000)),
        ]).finally(async () => (await unsubscribe)()),
    };
}

test('getVersion carries a feature set; an airdrop confirms; the chain moves', async () => {
    const version = await connection.getVersion();
    assert.equal(typeof version['feature-set'], 'number');
    assert.match(version['solana-core'], /^\d+\.\d+/);
    const wallet = await funded(2);
    assert.equal(await connection.getBalance(wallet.publicKey), 2 * LAMPORTS_PER_SOL);
    const [slot, height, { blockhash }] = [await connection.getSlot(), await connection.getBlockHeight(), await connection.getLatestBlockhash()];
    await new Promise(r => setTimeout(r, 1_000));
    assert.ok((await connection.getSlot()) > slot, 'slots advance');
    assert.ok((await connection.getBlockHeight()) > height, 'block height advances');
    assert.notEqual((await connection.getLatestBlockhash()).blockhash, blockhash, 'blockhashes rotate');
    const time = await connection.getBlockTime(await connection.getSlot());
    assert.ok(time !== null && Math.abs(time - Date.now() / 1_000) < 60, `block time ${time}`);
});

test('spl-token: an associated token account, mintTo by the mint authority, parsed reads', async () => {
    const usdc = net.market('USDC');
    const [mint, program] = [new PublicKey(usdc.mint), new PublicKey(usdc.token_program)];
    const admin = Keypair.fromSecretKey(net.adminSecret());
    const owner = await funded();
    const ata = await createAssociatedTokenAccount(connection, owner, mint, owner.publicKey, undefined, program);
    assert.ok(ata.equals(getAssociatedTokenAddressSync(mint, owner.publicKey, false, program)));
    await mintTo(connection, owner, mint, ata, admin, 250_000_000n, [], undefined, program);
    assert.equal((await getAccount(connection, ata, 'confirmed', program)).amount, 250_000_000n);

    const parsed = await connection.getParsedAccountInfo(ata);
    const info = (parsed.value?.data as { parsed: { info: { tokenAmount: { uiAmountString: string } } } }).parsed.info;
    assert.equal(info.tokenAmount.uiAmountString, '250');
    const byOwner = await connection.getTokenAccountsByOwner(owner.publicKey, { mint });
    assert.deepEqual(byOwner.value.map(a => a.pubkey.toBase58()), [ata.toBase58()]);
    const parsedByOwner = await connection.getParsedTokenAccountsByOwner(owner.publicKey, { programId: program });
    assert.equal(parsedByOwner.value.length, 1);
    const supply = await connection.getTokenSupply(mint);
    assert.ok(BigInt(supply.value.amount) >= 250_000_000n);
    const largest = await connection.getTokenLargestAccounts(mint);
    assert.ok(largest.value.some(a => a.address.equals(ata)));
});

test('a Keel deposit through sendAndConfirmTransaction, twice alike; subscriptions fire; history reads back', async () => {
    const usdc = net.market('USDC');
    const owner = await funded();
    const ownerAddress = address(owner.publicKey.toBase58());
    const source = new PublicKey(await net.mint('USDC', owner.publicKey.toBase58(), '10'));
    const pool = address(net.pool.pool);
    const [margin] = await findMarginAccountPda({ pool, owner: ownerAddress, accountId: 0 });
    const signer = createNoopSigner(ownerAddress);
    const open = getOpenAccountInstruction({ owner: signer, payer: signer, pool, marginAccount: margin, accountId: 0 });
    await sendAndConfirmTransaction(connection, new Transaction().add(toWeb3(open)), [owner]);

    const marginKey = new PublicKey(margin);
    const keel = new PublicKey(KEEL_PROGRAM_ADDRESS);
    const subscriptions = [
        fired('accountSubscribe', async done => {
            const id = connection.onAccountChange(marginKey, () => done(), { commitment: 'confirmed' });
            return () => connection.removeAccountChangeListener(id);
        }),
        fired('programSubscribe', async done => {
            const id = connection.onProgramAccountChange(keel, () => done(), { commitment: 'confirmed' });
            return () => connection.removeProgramAccountChangeListener(id);
        }),
        fired('logsSubscribe', async done => {
            const id = connection.onLogs(keel, logs => logs.err === null && done(), 'confirmed');
            return () => connection.removeOnLogsListener(id);
        }),
        fired('slotSubscribe', async done => {
            const id = connection.onSlotChange(() => done());
            return () => connection.removeSlotChangeListener(id);
        }),
    ];
    // let the subscriptions reach the validator before the deposits
    await new Promise(r => setTimeout(r, 500));

    const [vault] = await findVaultPda({ market: address(usdc.market) });
    const deposit = getDepositInstruction({
        authority: signer,
        marginAccount: margin,
        pool,
        market: address(usdc.market),
        vault,
        mint: address(usdc.mint),
        tokenProgram: address(usdc.token_program),
        tokenAccount: address(source.toBase58()),
        amount: 1_000_000n,
    });
    const signatures: string[] = [];
    const millis: number[] = [];
    for (let i = 0; i < 2; i++) {
        // the same instruction twice: web3.js fetches a new blockhash for the second, so it lands
        const started = performance.now();
        signatures.push(await sendAndConfirmTransaction(connection, new Transaction().add(toWeb3(deposit)), [owner]));
        millis.push(performance.now() - started);
    }
    console.log(`FIGURE web3.js sendAndConfirmTransaction of a Keel deposit: ${millis.map(m => m.toFixed(0)).join(' ms, ')} ms`);
    assert.notEqual(signatures[0], signatures[1]);
    assert.equal((await getAccount(connection, source, 'confirmed')).amount, 8_000_000n);
    await Promise.all(subscriptions.map(s => s.seen));

    // history: the margin account's signatures, each transaction in both encodings, its block
    const history = await connection.getSignaturesForAddress(marginKey);
    for (const s of signatures) assert.ok(history.some(h => h.signature === s), `${s} in the history`);
    const tx = await connection.getTransaction(signatures[1], { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
    assert.equal(tx?.meta?.err, null);
    assert.ok(tx?.meta?.logMessages?.some(l => l.includes('Instruction: Deposit')), 'the program logs its instruction');
    const parsedTx = await connection.getParsedTransaction(signatures[1], { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
    const inner = parsedTx?.meta?.innerInstructions?.flatMap(i => i.instructions) ?? [];
    assert.ok(inner.some(i => 'parsed' in i && ['transfer', 'transferChecked'].includes(i.parsed.type)), 'the token transfer, parsed');
    const block = await connection.getBlock(tx!.slot, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
    assert.ok(block?.transactions.some(t => t.transaction.signatures[0] === signatures[1]), 'the block holds it');
    const fees = await connection.getRecentPrioritizationFees({ lockedWritableAccounts: [marginKey] });
    assert.ok(Array.isArray(fees));
});

test('the node methods wallets call: supply, identity, cluster nodes, performance samples', async () => {
    // served (Surfpool counts no supply offline: zeros, in the shape web3.js checks)
    const supply = await connection.getSupply();
    assert.equal(typeof supply.value.total, 'number');
    assert.ok(Array.isArray(supply.value.nonCirculatingAccounts));
    // web3.js 1.x has no getIdentity: the raw call, as a wallet adapter makes it
    const res = await fetch(net.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getIdentity' }),
    });
    const { result } = (await res.json()) as { result: { identity: string } };
    assert.ok(new PublicKey(result.identity));
    const nodes = await connection.getClusterNodes();
    assert.ok(nodes.length >= 1 && nodes[0].rpc !== undefined);
    const samples = await connection.getRecentPerformanceSamples(5);
    assert.ok(Array.isArray(samples));
});

test('simulation replaces a blockhash when asked; a context slot ahead of the chain is refused', async () => {
    const payer = await funded(1);
    const message = new TransactionMessage({
        payerKey: payer.publicKey,
        recentBlockhash: PublicKey.default.toBase58(),
        instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 })],
    }).compileToV0Message();
    const tx = new VersionedTransaction(message);
    const sim = await connection.simulateTransaction(tx, { replaceRecentBlockhash: true, sigVerify: false });
    assert.equal(sim.value.err, null);
    assert.ok((sim.value as { replacementBlockhash?: { blockhash: string } }).replacementBlockhash?.blockhash);
    const slot = await connection.getSlot();
    await assert.rejects(connection.getBalance(payer.publicKey, { minContextSlot: slot + 10_000 }), /context slot/i);
});

test('a transaction whose blockhash aged out is refused, and web3.js reports the expiry', { timeout: 120_000 }, async () => {
    // 20 ms slots: a blockhash's 150-block life passes in seconds
    const fast = await Localnet.start(PORT + 100, 20);
    const c = new Connection(fast.url, { commitment: 'confirmed', wsEndpoint: fast.wsUrl });
    try {
        const payer = Keypair.generate();
        const sig = await c.requestAirdrop(payer.publicKey, LAMPORTS_PER_SOL);
        await c.confirmTransaction({ signature: sig, ...(await c.getLatestBlockhash()) });
        const { blockhash, lastValidBlockHeight } = await c.getLatestBlockhash();
        const transfer = (lamports: number) => {
            const t = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight });
            t.add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports }));
            t.sign(payer);
            return t;
        };
        const never = transfer(1_000);
        const late = transfer(2_000);
        // web3.js watches the block height and gives up on a signature past its blockhash's life
        await assert.rejects(
            c.confirmTransaction({ signature: getBase58Decoder().decode(never.signature!), blockhash, lastValidBlockHeight }),
            (e: unknown) => e instanceof TransactionExpiredBlockheightExceededError,
        );
        while ((await c.getBlockHeight()) <= lastValidBlockHeight) await new Promise(r => setTimeout(r, 100));
        await assert.rejects(c.sendRawTransaction(late.serialize()), /blockhash not found/i);
    } finally {
        closeSocket(c);
        fast.stop();
    }
});
