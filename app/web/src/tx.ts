// Transactions: built from the generated client's instructions, previewed by simulating them
// with the program's own `health` instruction appended (its return data is the health report
// after the action, computed by the program), signed by the wallet, sent, and confirmed through
// websocket signature notifications. A failure is told in the program's own words (the IDL's
// error messages).
import {
    appendTransactionMessageInstructions,
    compileTransaction,
    createTransactionMessage,
    getBase64EncodedWireTransaction,
    getSignatureFromTransaction,
    pipe,
    sendAndConfirmTransactionFactory,
    setTransactionMessageFeePayer,
    setTransactionMessageFeePayerSigner,
    setTransactionMessageLifetimeUsingBlockhash,
    signTransactionMessageWithSigners,
    assertIsTransactionWithBlockhashLifetime,
    type Address,
    type Instruction,
    type TransactionPartialSigner,
} from '@solana/kit';
import {
    decodeHealthReport,
    getHealthInstruction,
    getMarginAccountDecoder,
    healthAccounts,
    withRemainingAccounts,
    type HealthReport,
    type MarginAccount,
    type MarketOracles,
} from '@keel/client';
import { getBase64Encoder } from '@solana/kit';
import { errors as idlErrors } from '../../../idl/keel.json';
import { rpc, rpcSubscriptions } from './chain';

export type Stage = 'building' | 'signing' | 'sent' | 'confirmed' | 'failed';

const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });

/** The program's message for custom error `code`, else the runtime's words. */
export function describeError(e: unknown): string {
    const text = e instanceof Error ? `${e.message} ${JSON.stringify((e as { context?: unknown }).context ?? {}, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}` : String(e);
    const custom = /"Custom":\s*(\d+)|custom program error: 0x([0-9a-f]+)|"code":\s*(\d{4})/i.exec(text);
    const code = custom ? Number(custom[1] ?? (custom[2] ? parseInt(custom[2], 16) : custom[3])) : NaN;
    const known = idlErrors.find(x => x.code === code);
    if (known) return `${known.msg} (${known.name})`;
    if (/rejected|denied|declined/i.test(text)) return 'The wallet declined to sign';
    if (/insufficient (funds|lamports)/i.test(text)) return 'Not enough SOL in the wallet to pay the fee';
    return e instanceof Error ? e.message : text;
}

/** Simulate `ixs` then `health` for `margin`, paid by `payer`: the health report after them. */
export async function preview(payer: Address, ixs: Instruction[], margin: Address, groups: MarketOracles[]): Promise<HealthReport> {
    return (await previewWithAccount(payer, ixs, margin, groups)).report;
}

/** `preview`, with the margin account as the simulation left it (the program's post-state). */
export async function previewWithAccount(
    payer: Address,
    ixs: Instruction[],
    margin: Address,
    groups: MarketOracles[],
): Promise<{ report: HealthReport; account: MarginAccount | null }> {
    const health = withRemainingAccounts(getHealthInstruction({ marginAccount: margin }), healthAccounts(groups));
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        m => setTransactionMessageFeePayer(payer, m),
        m => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        m => appendTransactionMessageInstructions([...ixs, health], m),
    );
    const wire = getBase64EncodedWireTransaction(compileTransaction(message));
    const sim = await rpc
        .simulateTransaction(wire, {
            encoding: 'base64',
            sigVerify: false,
            replaceRecentBlockhash: true,
            commitment: 'confirmed',
            accounts: { addresses: [margin], encoding: 'base64' },
        })
        .send();
    if (sim.value.err) {
        const logs = (sim.value.logs ?? []).join('\n');
        throw new Error(`${JSON.stringify(sim.value.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))} ${logs}`);
    }
    const data = sim.value.returnData?.data[0];
    if (!data) throw new Error('the health instruction returned nothing');
    const after = sim.value.accounts?.[0];
    const account = after ? getMarginAccountDecoder().decode(getBase64Encoder().encode(after.data[0])) : null;
    return { report: decodeHealthReport(data), account };
}

/** Sign `ixs` with the wallet, send, and wait for confirmation, reporting each stage. */
export async function send(signer: TransactionPartialSigner, ixs: Instruction[], onStage: (s: Stage) => void): Promise<string> {
    onStage('building');
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        m => setTransactionMessageFeePayerSigner(signer, m),
        m => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        m => appendTransactionMessageInstructions(ixs, m),
    );
    onStage('signing');
    const tx = await signTransactionMessageWithSigners(message);
    assertIsTransactionWithBlockhashLifetime(tx);
    onStage('sent');
    await sendAndConfirm(tx, { commitment: 'confirmed' });
    onStage('confirmed');
    return getSignatureFromTransaction(tx);
}
