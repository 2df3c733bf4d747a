// A wallet's first Keel deposit with @solana/web3.js and @solana/spl-token alone, against a
// running `keel localnet` (its pool and admin from .keel-localnet/, or KEEL_LOCALNET_DIR):
// airdrop, an associated token account, test USDC from the mint authority, open a margin
// account, deposit; each sendAndConfirmTransaction timed. Build the client first (npx tsc --outDir dist).
//
//   node examples/web3-deposit.cjs [http://127.0.0.1:8899]
const { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, TransactionInstruction, sendAndConfirmTransaction } = require('@solana/web3.js');
const { createAssociatedTokenAccount, mintTo } = require('@solana/spl-token');
const { AccountRole, address, createNoopSigner } = require('@solana/kit');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const keel = require('../dist/src');

const url = process.argv[2] ?? 'http://127.0.0.1:8899';
const dir = process.env.KEEL_LOCALNET_DIR ?? join(__dirname, '../../../.keel-localnet');

const toWeb3 = ix =>
    new TransactionInstruction({
        programId: new PublicKey(ix.programAddress),
        keys: ix.accounts.map(a => ({
            pubkey: new PublicKey(a.address),
            isSigner: a.role === AccountRole.READONLY_SIGNER || a.role === AccountRole.WRITABLE_SIGNER,
            isWritable: a.role === AccountRole.WRITABLE || a.role === AccountRole.WRITABLE_SIGNER,
        })),
        data: Buffer.from(ix.data),
    });

(async () => {
    const pool = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8'));
    const admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(join(dir, 'admin.json'), 'utf8'))));
    const usdc = pool.markets.find(m => m.symbol === 'USDC');
    const connection = new Connection(url, 'confirmed');
    const wallet = Keypair.generate();
    const timed = async (what, f) => {
        const t = performance.now();
        const out = await f();
        console.log(`${what}: ${(performance.now() - t).toFixed(0)} ms`);
        return out;
    };
    await timed('airdrop confirmed', async () => {
        const signature = await connection.requestAirdrop(wallet.publicKey, LAMPORTS_PER_SOL);
        await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
    });
    const [mint, program] = [new PublicKey(usdc.mint), new PublicKey(usdc.token_program)];
    const ata = await timed('createAssociatedTokenAccount', () => createAssociatedTokenAccount(connection, wallet, mint, wallet.publicKey, undefined, program));
    await timed('mintTo (the test mint authority)', () => mintTo(connection, wallet, mint, ata, admin, 100_000_000n, [], undefined, program));
    const owner = createNoopSigner(address(wallet.publicKey.toBase58()));
    const [margin] = await keel.findMarginAccountPda({ pool: address(pool.pool), owner: owner.address, accountId: 0 });
    const open = keel.getOpenAccountInstruction({ owner, payer: owner, pool: address(pool.pool), marginAccount: margin, accountId: 0 });
    await timed('sendAndConfirmTransaction open_account', () => sendAndConfirmTransaction(connection, new Transaction().add(toWeb3(open)), [wallet]));
    const [vault] = await keel.findVaultPda({ market: address(usdc.market) });
    const deposit = keel.getDepositInstruction({
        authority: owner, marginAccount: margin, pool: address(pool.pool), market: address(usdc.market), vault,
        mint: address(usdc.mint), tokenProgram: address(usdc.token_program), tokenAccount: address(ata.toBase58()), amount: 100_000_000n,
    });
    const sig = await timed('sendAndConfirmTransaction deposit of 100 USDC', () => sendAndConfirmTransaction(connection, new Transaction().add(toWeb3(deposit)), [wallet]));
    console.log(`deposit ${sig}`);
    process.exit(0);
})().catch(e => {
    console.error(e);
    process.exit(1);
});
