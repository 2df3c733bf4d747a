// A Wallet Standard wallet for the browser test, injected into the page before it loads: it holds
// a keypair the test made, announces itself the way Phantom or Solflare do
// (`wallet-standard:register-wallet`, `wallet-standard:app-ready`), and signs with WebCrypto
// Ed25519. The page cannot tell it from a real wallet: the same code path.
export function injectWallet({ address, publicKey, seed, name }) {
    const listeners = { change: new Set() };
    const pkcs8 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...seed]);
    const keyPromise = crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const account = {
        address,
        publicKey: new Uint8Array(publicKey),
        chains: ['solana:localnet', 'solana:devnet'],
        features: ['solana:signTransaction'],
        label: name,
    };
    const shortvec = (bytes, at) => {
        let value = 0, shift = 0, size = 0;
        for (;;) {
            const b = bytes[at + size++];
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) === 0) return [value, size];
            shift += 7;
        }
    };
    async function sign(wire) {
        const [count, n] = shortvec(wire, 0);
        const messageAt = n + 64 * count;
        const message = wire.slice(messageAt);
        let at = message[0] & 0x80 ? 1 : 0; // a versioned message's prefix
        const required = message[at];
        at += 3;
        const [keys, m] = shortvec(message, at);
        at += m;
        let index = -1;
        for (let i = 0; i < Math.min(keys, required); i++) {
            const key = message.slice(at + 32 * i, at + 32 * (i + 1));
            if (key.every((b, j) => b === publicKey[j])) index = i;
        }
        if (index < 0) throw new Error('this wallet is not a signer of the transaction');
        const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', await keyPromise, message));
        const out = wire.slice();
        out.set(signature, n + 64 * index);
        return out;
    }
    const wallet = {
        version: '1.0.0',
        name,
        icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=',
        chains: account.chains,
        accounts: [],
        features: {
            'standard:connect': {
                version: '1.0.0',
                connect: async () => {
                    wallet.accounts = [account];
                    listeners.change.forEach(l => l({ accounts: wallet.accounts }));
                    return { accounts: wallet.accounts };
                },
            },
            'standard:disconnect': {
                version: '1.0.0',
                disconnect: async () => {
                    wallet.accounts = [];
                    listeners.change.forEach(l => l({ accounts: [] }));
                },
            },
            'standard:events': {
                version: '1.0.0',
                on: (event, listener) => {
                    listeners[event]?.add(listener);
                    return () => listeners[event]?.delete(listener);
                },
            },
            'solana:signTransaction': {
                version: '1.0.0',
                supportedTransactionVersions: ['legacy', 0],
                signTransaction: async (...inputs) => {
                    window.__keelSignatures = (window.__keelSignatures ?? 0) + inputs.length;
                    return Promise.all(inputs.map(async i => ({ signedTransaction: await sign(i.transaction) })));
                },
            },
        },
    };
    const register = api => api.register(wallet);
    window.addEventListener('wallet-standard:app-ready', ({ detail }) => register(detail));
    window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: register }));
}
