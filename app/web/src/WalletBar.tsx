// Connect a Wallet Standard wallet, see the network, disconnect.
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { RPC_URL } from './config';
import { CHAIN } from './wallet';

type Props = {
    wallets: Wallet[];
    connected: { wallet: Wallet; account: WalletAccount } | null;
    onConnect: (w: Wallet) => void;
    onDisconnect: () => void;
};

export function WalletBar({ wallets, connected, onConnect, onDisconnect }: Props) {
    return (
        <header className="bar">
            <h1>Keel</h1>
            <span className="network" title={RPC_URL}>
                {CHAIN.replace('solana:', '')}
            </span>
            <div className="wallet">
                {connected ? (
                    <>
                        <span className="address" title={connected.account.address}>
                            {connected.wallet.name}: {connected.account.address.slice(0, 4)}…{connected.account.address.slice(-4)}
                        </span>
                        <button onClick={onDisconnect}>Disconnect</button>
                    </>
                ) : wallets.length === 0 ? (
                    <span className="hint">No wallet found: install a Solana wallet (Phantom, Solflare, Backpack)</span>
                ) : (
                    wallets.map(w => (
                        <button key={w.name} onClick={() => onConnect(w)}>
                            {w.icon && <img src={w.icon} alt="" width={16} height={16} />} Connect {w.name}
                        </button>
                    ))
                )}
            </div>
        </header>
    );
}
