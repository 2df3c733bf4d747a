// The trader's app. `@keel/client` is the generated TypeScript client's source (app/ts/src), built
// into the bundle with one copy of @solana/kit. `/pool.json` is served from the running
// `keel localnet`'s directory (KEEL_LOCALNET_DIR, default ../../.keel-localnet) when there is one:
// the market symbols a local pool has (a real cluster's page names the pool in `?pool=`).
import react from '@vitejs/plugin-react';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineConfig, type Connect } from 'vite';

const localnetDir = resolve(process.env.KEEL_LOCALNET_DIR ?? resolve(import.meta.dirname, '../../.keel-localnet'));

const poolJson: Connect.NextHandleFunction = async (req, res, next) => {
    if (req.url?.split('?')[0] !== '/pool.json') return next();
    try {
        const body = await readFile(resolve(localnetDir, 'pool.json'));
        res.setHeader('content-type', 'application/json');
        res.end(body);
    } catch {
        res.statusCode = 404;
        res.end('{}');
    }
};

export default defineConfig({
    plugins: [
        react(),
        {
            name: 'keel-localnet-pool',
            configureServer: server => void server.middlewares.use(poolJson),
            configurePreviewServer: server => void server.middlewares.use(poolJson),
        },
    ],
    resolve: {
        alias: { '@keel/client': resolve(import.meta.dirname, '../ts/src/index.ts') },
        dedupe: ['@solana/kit'],
    },
    build: { target: 'es2022', sourcemap: false },
});
