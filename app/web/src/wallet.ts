// Wallets through the Wallet Standard: the page lists what announced itself (Phantom, Solflare,
// Backpack, or a test's wallet: the same path), connects, and has the wallet sign each transaction
// (`solana:signTransaction`). No key ever reaches the page.
import { getTransactionDecoder, getTransactionEncoder, type Address, type Transaction, type TransactionPartialSigner } from '@solana/kit';
import { SolanaSignTransaction, type SolanaSignTransactionFeature } from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import {
    StandardConnect,
    StandardDisconnect,
    StandardEvents,
    type StandardConnectFeature,
    type StandardDisconnectFeature,
    type StandardEventsFeature,
} from '@wallet-standard/features';
import { RPC_URL } from './config';

/** The chain the page's cluster is, as wallets name it. */
export const CHAIN: `solana:${string}` = /127\.0\.0\.1|localhost/.test(RPC_URL)
    ? 'solana:localnet'
    : RPC_URL.includes('devnet')
      ? 'solana:devnet'
      : 'solana:mainnet';

const usable = (w: Wallet) =>
    StandardConnect in w.features && SolanaSignTransaction in w.features && w.chains.some(c => c.startsWith('solana:'));

/** Wallets that can connect and sign Solana transactions, now and as they register. */
export function watchWallets(onChange: (wallets: Wallet[]) => void): () => void {
    const api = getWallets();
    const emit = () => onChange(api.get().filter(usable));
    emit();
    const offs = [api.on('register', emit), api.on('unregister', emit)];
    return () => offs.forEach(off => off());
}

export async function connect(wallet: Wallet): Promise<WalletAccount> {
    const { accounts } = await (wallet.features[StandardConnect] as StandardConnectFeature[typeof StandardConnect]).connect();
    const account = accounts.find(a => a.chains.some(c => c.startsWith('solana:'))) ?? accounts[0];
    if (!account) throw new Error(`${wallet.name} shared no account`);
    return account;
}

export async function disconnect(wallet: Wallet): Promise<void> {
    const feature = wallet.features[StandardDisconnect] as StandardDisconnectFeature[typeof StandardDisconnect] | undefined;
    await feature?.disconnect();
}

/** Call `onChange` when the wallet's accounts change (a switch in the wallet, a disconnect). */
export function onAccountsChange(wallet: Wallet, onChange: (accounts: readonly WalletAccount[]) => void): () => void {
    const events = wallet.features[StandardEvents] as StandardEventsFeature[typeof StandardEvents] | undefined;
    return events?.on('change', ({ accounts }) => accounts && onChange(accounts)) ?? (() => {});
}

/** A kit signer whose signatures come from the wallet. */
export function walletSigner(wallet: Wallet, account: WalletAccount): TransactionPartialSigner {
    const feature = wallet.features[SolanaSignTransaction] as SolanaSignTransactionFeature[typeof SolanaSignTransaction];
    const address = account.address as Address;
    return {
        address,
        async signTransactions(transactions: readonly Transaction[]) {
            const inputs = transactions.map(t => ({
                account,
                chain: CHAIN,
                transaction: new Uint8Array(getTransactionEncoder().encode(t)),
            }));
            const outputs = await feature.signTransaction(...inputs);
            return outputs.map(({ signedTransaction }) => {
                const signed = getTransactionDecoder().decode(signedTransaction);
                const signature = signed.signatures[address];
                if (!signature) throw new Error(`${wallet.name} did not sign`);
                return { [address]: signature } as never;
            });
        },
    };
}
