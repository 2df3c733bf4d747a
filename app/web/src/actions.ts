// The four money actions as instructions of the generated client, the health accounts they
// carry, the wallet's token accounts, and "max": the most the program allows, found by
// simulating (not by a copy of its rules).
import {
    AccountRole,
    address,
    getAddressEncoder,
    getProgramDerivedAddress,
    type Address,
    type Instruction,
    type TransactionPartialSigner,
} from '@solana/kit';
import {
    findVaultPda,
    getBorrowInstruction,
    getDepositInstruction,
    getRepayInstruction,
    getWithdrawInstruction,
    healthAccounts,
    withRemainingAccounts,
    type MarketOracles,
} from '@keel/client';
import type { MarketView, PoolView } from './chain';
import { rpc } from './chain';

export type Action = 'deposit' | 'withdraw' | 'borrow' | 'repay';
export const ACTIONS: Action[] = ['deposit', 'withdraw', 'borrow', 'repay'];
/** u64::MAX: the program's "all" for withdraw and repay. */
export const ALL = 2n ** 64n - 1n;

const ATA_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
const NO_FEED = '11111111111111111111111111111111';

/** The wallet's associated token account of the market's mint. */
export async function walletTokenAccount(owner: Address, m: MarketView): Promise<Address> {
    const enc = getAddressEncoder();
    const [ata] = await getProgramDerivedAddress({
        programAddress: ATA_PROGRAM,
        seeds: [enc.encode(owner), enc.encode(m.market.tokenProgram), enc.encode(m.market.mint)],
    });
    return ata;
}

/** Create the wallet's associated token account if it is missing (idempotent). */
function createAtaIdempotent(payer: Address, owner: Address, ata: Address, m: MarketView): Instruction {
    return {
        programAddress: ATA_PROGRAM,
        accounts: [
            { address: payer, role: AccountRole.WRITABLE_SIGNER },
            { address: ata, role: AccountRole.WRITABLE },
            { address: owner, role: AccountRole.READONLY },
            { address: m.market.mint, role: AccountRole.READONLY },
            { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
            { address: m.market.tokenProgram, role: AccountRole.READONLY },
        ],
        data: new Uint8Array([1]),
    };
}

/** Every market's price accounts: the health accounts `borrow`, `withdraw` and `health` take. */
export function oracleGroups(pool: PoolView): MarketOracles[] {
    return pool.markets.map(m => ({
        market: m.key,
        priceUpdate: m.market.config.oracle.priceAccount,
        ...(m.market.config.secondary.feed !== NO_FEED ? { secondary: m.market.config.secondary.feed } : {}),
    }));
}

/** The instructions of `action` of `amount` base units on market `m`. */
export async function actionIxs(
    action: Action,
    pool: PoolView,
    m: MarketView,
    signer: TransactionPartialSigner,
    margin: Address,
    amount: bigint,
): Promise<Instruction[]> {
    const owner = signer.address;
    const tokenAccount = await walletTokenAccount(owner, m);
    const [vault] = await findVaultPda({ market: m.key });
    const keys = { marginAccount: margin, market: m.key, vault, mint: m.market.mint, tokenProgram: m.market.tokenProgram };
    const health = healthAccounts(oracleGroups(pool));
    switch (action) {
        case 'deposit':
            return [getDepositInstruction({ authority: signer, pool: pool.key, ...keys, tokenAccount, amount })];
        case 'repay':
            return [getRepayInstruction({ payer: signer, ...keys, source: tokenAccount, amount })];
        case 'withdraw':
            return [
                createAtaIdempotent(owner, owner, tokenAccount, m),
                withRemainingAccounts(getWithdrawInstruction({ authority: signer, pool: pool.key, ...keys, tokenAccount, amount }), health),
            ];
        case 'borrow':
            return [
                createAtaIdempotent(owner, owner, tokenAccount, m),
                withRemainingAccounts(getBorrowInstruction({ authority: signer, pool: pool.key, ...keys, tokenAccount, amount }), health),
            ];
    }
}

/**
 * The largest amount in [0, upper] for which `passes` holds (it must be monotone: the program
 * refuses every amount past its limit), by bisection: about log2(upper) simulations.
 */
export async function largestPassing(upper: bigint, passes: (amount: bigint) => Promise<boolean>): Promise<bigint> {
    if (upper === 0n) return 0n;
    if (await passes(upper)) return upper;
    let [lo, hi] = [0n, upper];
    while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (await passes(mid)) lo = mid;
        else hi = mid;
    }
    return lo;
}

/** What the vault holds (an upper bound on any borrow or withdrawal there). */
export async function vaultBalance(m: MarketView): Promise<bigint> {
    try {
        const { value } = await rpc.getTokenAccountBalance(m.market.vault, { commitment: 'confirmed' }).send();
        return BigInt(value.amount);
    } catch {
        return 0n;
    }
}
