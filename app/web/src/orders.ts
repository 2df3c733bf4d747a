// Deleverage orders and delegates, as instructions of the generated client and reads of the chain.
import {
    getAddressEncoder,
    getBase58Decoder,
    getBase64Encoder,
    getProgramDerivedAddress,
    type Address,
    type Base58EncodedBytes,
    type Instruction,
    type TransactionPartialSigner,
} from '@solana/kit';
import {
    DELEVERAGE_ORDER_DISCRIMINATOR,
    KEEL_PROGRAM_ADDRESS,
    getCancelOrderInstruction,
    getDeleverageOrderDecoder,
    getPostOrderInstruction,
    getSetDelegateInstruction,
    type DeleverageOrder,
    type OrderTriggerArgs,
} from '@keel/client';
import { rpc } from './chain';

export const MAX_ORDERS = 8;
export const NO_DELEGATE = '11111111111111111111111111111111' as Address;
/** The delegate powers, in the program's bit order (state/delegate.rs). */
export const POWERS = ['Deposit', 'Borrow', 'Withdraw', 'Orders'] as const;

export async function orderAddress(margin: Address, id: number): Promise<Address> {
    const [pda] = await getProgramDerivedAddress({
        programAddress: KEEL_PROGRAM_ADDRESS,
        seeds: [new TextEncoder().encode('order'), getAddressEncoder().encode(margin), new Uint8Array([id])],
    });
    return pda;
}

export async function ordersOf(margin: Address): Promise<{ key: Address; order: DeleverageOrder }[]> {
    const b58 = getBase58Decoder();
    const found = await rpc
        .getProgramAccounts(KEEL_PROGRAM_ADDRESS, {
            encoding: 'base64',
            commitment: 'confirmed',
            filters: [
                { memcmp: { offset: 0n, bytes: b58.decode(DELEVERAGE_ORDER_DISCRIMINATOR) as Base58EncodedBytes, encoding: 'base58' } },
                { memcmp: { offset: 8n, bytes: margin as unknown as Base58EncodedBytes, encoding: 'base58' } },
            ],
        })
        .send();
    const b64 = getBase64Encoder();
    return found
        .map(({ pubkey, account }) => ({ key: pubkey, order: getDeleverageOrderDecoder().decode(b64.encode(account.data[0])) }))
        .sort((a, b) => a.order.orderId - b.order.orderId);
}

export type OrderParams = {
    trigger: OrderTriggerArgs;
    repayMarket: Address;
    seizeMarket: Address;
    maxRepay: bigint;
    minBonusBps: number;
    maxBonusBps: number;
    expiresAt: bigint;
};

export async function postOrderIxs(signer: TransactionPartialSigner, margin: Address, taken: number[], p: OrderParams): Promise<Instruction[]> {
    const id = [...Array(MAX_ORDERS).keys()].find(i => !taken.includes(i));
    if (id === undefined) throw new Error(`The account holds ${MAX_ORDERS} orders already: cancel one`);
    const order = await orderAddress(margin, id);
    return [
        getPostOrderInstruction({
            authority: signer,
            payer: signer,
            marginAccount: margin,
            repayMarket: p.repayMarket,
            seizeMarket: p.seizeMarket,
            order,
            orderId: id,
            trigger: p.trigger,
            maxRepay: p.maxRepay,
            minBonusBps: p.minBonusBps,
            maxBonusBps: p.maxBonusBps,
            expiresAt: p.expiresAt,
        }),
    ];
}

export function cancelOrderIxs(signer: TransactionPartialSigner, margin: Address, key: Address, order: DeleverageOrder): Instruction[] {
    return [getCancelOrderInstruction({ authority: signer, marginAccount: margin, order: key, payer: order.payer })];
}

export function setDelegateIxs(signer: TransactionPartialSigner, margin: Address, delegate: Address, powers: number): Instruction[] {
    return [getSetDelegateInstruction({ owner: signer, marginAccount: margin, delegate, powers })];
}
