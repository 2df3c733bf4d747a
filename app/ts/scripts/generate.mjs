// Generate the TypeScript client from the program's Anchor IDL (../../idl/keel.json) with Codama
// into src/generated. With --check, generate into a temporary folder and fail when it differs
// from what is committed (the client is stale: run `npm run generate`).
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { createFromRoot } from 'codama';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'src/generated');
const idl = JSON.parse(readFileSync(join(root, '../../idl/keel.json'), 'utf8'));
const check = process.argv.includes('--check');
const scratch = check ? mkdtempSync(join(tmpdir(), 'keel-ts-')) : undefined;
// the renderer empties its target folder first: only ever src/generated (or a scratch folder)
const target = check ? join(scratch, 'generated') : committed;

const codama = createFromRoot(rootNodeFromAnchor(idl));
await codama.accept(renderVisitor(target, { deleteFolderBeforeRendering: true }));

function files(dir) {
    return readdirSync(dir).flatMap(name => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [path];
    });
}

if (check) {
    const list = dir => files(dir).map(f => relative(dir, f)).sort();
    const a = list(target);
    const b = list(committed);
    const same = a.length === b.length
        && a.every((f, i) => f === b[i] && readFileSync(join(target, f), 'utf8') === readFileSync(join(committed, f), 'utf8'));
    rmSync(scratch, { recursive: true, force: true });
    if (!same) {
        console.error('app/ts/src/generated is stale against idl/keel.json: run `npm run generate` in app/ts');
        process.exit(1);
    }
    console.log('app/ts/src/generated matches idl/keel.json');
}
