// The trader's app in a real browser (Debian's Chromium, driven by puppeteer-core) against
// `keel localnet`, with a test wallet registered through the Wallet Standard: connect, open,
// deposit SOL, refused inputs, borrow USDC with the preview checked against the Rust SDK's health
// (`keel status`), a price move and the warning, a liquidation by `keel-liquidator` in the
// history. Screenshots of each screen at desktop and phone width go to test/screenshots/.
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { preview } from 'vite';
import { injectWallet } from './wallet.mjs';

const here = import.meta.dirname;
const root = resolve(here, '../../..');
const KEEL = process.env.KEEL_BIN ?? join(root, 'target/debug/keel');
const LIQUIDATOR = process.env.KEEL_LIQUIDATOR_BIN ?? join(root, 'target/debug/keel-liquidator');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PORT = 20_000 + 2 * (process.pid % 500);
const RPC = `http://127.0.0.1:${PORT}`;
const SHOTS = join(here, 'screenshots');
const run = promisify(execFile);

let localnet, dir, server, browser, page, pool, wallet, walletFile, appUrl;

function keypair() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = [...privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32)];
    const pub = [...publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)];
    return { seed, publicKey: pub, bytes: [...seed, ...pub] };
}

async function rpcCall(method, params) {
    const res = await fetch(RPC, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
}

const keel = (...args) => run(KEEL, ['--url', RPC, ...args]).then(r => r.stdout);
const faucet = (symbol, amount, to) => keel('localnet', '--dir', dir, 'mint', symbol, amount, '--to', to);

async function fundedFile(name) {
    const k = keypair();
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(k.bytes));
    const address = (await run(KEEL, ['--url', RPC, '--keypair', file, 'localnet', '--dir', dir, 'mint', 'USDC', '0'])).stdout.split(' to ')[1].split(':')[0];
    const sig = await rpcCall('requestAirdrop', [address, 10_000_000_000]);
    for (let i = 0; i < 100; i++) {
        const { value } = await rpcCall('getSignatureStatuses', [[sig]]);
        if (value[0]?.confirmationStatus === 'confirmed' || value[0]?.confirmationStatus === 'finalized') break;
        await new Promise(r => setTimeout(r, 100));
    }
    return { ...k, file, address };
}

async function shot(name) {
    mkdirSync(SHOTS, { recursive: true });
    for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
        await page.setViewport(viewport);
        await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
    }
    await page.setViewport({ width: 1280, height: 900 });
}

const text = sel => page.$eval(sel, e => e.textContent ?? '');
async function waitText(sel, re, timeout = 20_000) {
    await page.waitForFunction((s, src) => new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), { timeout }, sel, re.source);
}
async function typeAmount(value) {
    await page.$eval('input[name=amount]', e => (e.value = ''));
    await page.click('input[name=amount]', { clickCount: 3 });
    await page.keyboard.press('Backspace');
    await page.type('input[name=amount]', value);
}
async function tab(name) {
    const [b] = await page.$$(`xpath/.//button[@role='tab' and normalize-space()='${name}']`);
    assert.ok(b, `a tab '${name}' among ${JSON.stringify(await page.$$eval('[role=tab]', ts => ts.map(t => t.outerHTML)))}`);
    await b.click();
}
async function button(label) {
    const [b] = await page.$$(`xpath/.//button[contains(normalize-space(), '${label}')]`);
    assert.ok(b, `a button '${label}'`);
    return b;
}

before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'keel-web-'));
    localnet = spawn(KEEL, ['localnet', '--port', String(PORT), '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; !existsSync(join(dir, 'pool.json')); i++) {
        if (localnet.exitCode !== null || i > 1_200) throw new Error('keel localnet did not start');
        await new Promise(r => setTimeout(r, 100));
    }
    await new Promise(r => setTimeout(r, 200));
    pool = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8'));
    process.env.KEEL_LOCALNET_DIR = dir;
    server = await preview({ root: resolve(here, '..'), preview: { port: PORT + 100, strictPort: true }, logLevel: 'silent' });
    appUrl = `http://127.0.0.1:${PORT + 100}/?rpc=${encodeURIComponent(RPC)}`;
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('console', m => m.type() === 'error' && process.stderr.write(`page: ${m.text()}\n`));
    page.on('pageerror', e => process.stderr.write(`page error: ${e.message}\n`));
    await page.setViewport({ width: 1280, height: 900 });
    // a lender, so there is USDC to borrow
    const lender = await fundedFile('lender');
    await faucet('USDC', '100000', lender.address);
    const usdc = pool.markets.find(m => m.symbol === 'USDC');
    await run(KEEL, ['--url', RPC, '--keypair', lender.file, '--pool', pool.pool, 'account', 'open']);
    await run(KEEL, ['--url', RPC, '--keypair', lender.file, '--pool', pool.pool, 'deposit', usdc.mint, '100000']);
    // the trader's wallet: SOL for fees, 10 SOL tokens
    wallet = await fundedFile('trader');
    walletFile = wallet.file;
    await faucet('SOL', '10', wallet.address);
    await page.evaluateOnNewDocument(injectWallet, { address: wallet.address, publicKey: wallet.publicKey, seed: wallet.seed, name: 'Keel Test Wallet' });
});

after(async () => {
    await browser?.close();
    await new Promise(r => server?.httpServer.close(r) ?? r());
    localnet?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the pool: every market, its price and source, in an interactive view', async () => {
    const started = Date.now();
    await page.goto(appUrl);
    await page.waitForFunction(n => document.querySelectorAll('table.markets tbody tr').length === n, { timeout: 20_000 }, pool.markets.length);
    const interactive = Date.now() - started;
    const js = readdirSync(join(here, '../dist/assets')).filter(f => f.endsWith('.js')).map(f => statSync(join(here, '../dist/assets', f)).size).reduce((a, b) => a + b, 0);
    console.log(`FIGURE page load to an interactive pool view: ${interactive} ms; JavaScript bundle ${(js / 1024).toFixed(0)} KiB`);
    for (const m of pool.markets) assert.match(await text(`tr[data-market=${m.symbol}]`), /\$[\d,.]+.*Pyth/);
    await shot('pool');
});

test('connect through the Wallet Standard and open an account', async () => {
    await (await button('Connect Keel Test Wallet')).click();
    await waitText('.wallet', /Keel Test Wallet: \w{4}…\w{4}/);
    await (await button('Open a margin account')).click();
    await waitText('#account-title + *', /No positions yet|Health factor/);
    await page.waitForSelector('.band');
});

test('bad input is refused before anything is signed', async () => {
    await tab('Deposit');
    await page.select('select[name=market]', 'SOL');
    await typeAmount('1.0000000001');
    await waitText('.error', /at most 9 digits/);
    await typeAmount('11');
    await waitText('.error', /More than your wallet holds/);
    assert.equal(await page.$eval('button.primary', b => b.disabled), true);
    assert.equal(await page.evaluate(() => window.__keelSignatures ?? 0), 1, 'only the open was signed');
});

test('deposit SOL, then borrow USDC with the preview equal to the Rust SDK health after it', async () => {
    await typeAmount('10');
    await page.waitForSelector('[data-testid=preview]');
    await (await page.$('button.primary')).click();
    await waitText('[data-testid=stage]', /Confirmed/);
    await waitText('[data-position=SOL]', /10/);
    await shot('account');

    const sol = pool.markets.find(m => m.symbol === 'SOL');
    await tab('Borrow');
    await page.select('select[name=market]', 'USDC');
    // a borrow past the limit: refused before signing, with the program's reason
    await typeAmount('99999');
    await waitText('[data-testid=refusal]', /Refused before signing: .+/);
    assert.equal(await page.$eval('button.primary', b => b.disabled), true);
    // the most the program allows, then a safe share of it
    await typeAmount('1');
    await (await button('Max')).click();
    // the bisection's simulations are done when the button reads Max again
    await page.waitForFunction(() => [...document.querySelectorAll('button')].some(b => b.textContent === 'Max' && !b.disabled), { timeout: 60_000 });
    const max = Number(await page.$eval('input[name=amount]', e => e.value));
    assert.ok(max > 100 && max < 99_999, `max ${max}`);
    const amount = String(Math.floor(max * 0.8));
    await typeAmount(amount);
    await page.waitForSelector('[data-testid=preview-hf]');
    const previewed = Number(await text('[data-testid=preview-hf]'));
    // the liquidation price after the borrow, from the simulated post-state: below today's price
    await page.waitForSelector('[data-testid=preview-liq-SOL]');
    const liq = Number((await text('[data-testid=preview-liq-SOL]')).replace(/[$,]/g, ''));
    const solPrice = Number((await text('tr[data-market=SOL] .num')).replace(/[$,]/g, ''));
    assert.ok(liq > 0 && liq < solPrice, `liquidation price ${liq} below ${solPrice}`);
    await shot('borrow-preview');
    await (await page.$('button.primary')).click();
    await waitText('[data-testid=stage]', /Confirmed/);
    const status = JSON.parse((await run(KEEL, ['--json', '--url', RPC, '--keypair', walletFile, '--pool', pool.pool, 'status'])).stdout);
    const rust = status.health_factor ?? status.collateral_maint / status.debt_maint;
    assert.ok(Math.abs(previewed - rust) / rust < 0.005, `preview ${previewed} vs the Rust SDK's ${rust}`);
    assert.ok(max > 0 && sol);
});

test('post a deleverage order; set and clear a delegate; the e-mode line says why', async () => {
    assert.match(await text('[data-testid=emode]'), /e-mode/i);
    await page.type('input[name=max-repay]', '100');
    await (await button('Post order')).click();
    await waitText('[data-testid=orders]', /health below 1\.1500: repay up to 100 USDC with SOL/);
    const delegate = keypair();
    const { stdout } = await run(KEEL, ['--url', RPC, '--keypair', (writeFileSync(join(dir, 'delegate.json'), JSON.stringify(delegate.bytes)), join(dir, 'delegate.json')), 'localnet', '--dir', dir, 'mint', 'USDC', '0']);
    const delegateAddress = stdout.split(' to ')[1].split(':')[0];
    await page.type('input[name=delegate]', delegateAddress);
    const [borrowPower] = await page.$$(`xpath/.//label[contains(., 'Borrow') and contains(@class, 'inline')]/input`);
    await borrowPower.click();
    await (await button('Set delegate')).click();
    await waitText('[data-testid=delegate]', new RegExp(`${delegateAddress} may borrow`));
    await shot('protect');
    await (await button('Clear delegate')).click();
    await waitText('[data-testid=delegate]', /No delegate/);
});

test('a price move shows the warning; the liquidator acts; the history shows it', async () => {
    const sol = pool.markets.find(m => m.symbol === 'SOL');
    const price = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8')) && Number((await text('tr[data-market=SOL] .num')).replace(/[$,]/g, ''));
    await keel('localnet', '--dir', dir, 'price', 'SOL', String(price * 0.6));
    await page.waitForFunction(() => ['at risk', 'liquidatable'].includes(document.querySelector('.band')?.dataset.band ?? ''), { timeout: 30_000 });
    await shot('warning');
    const bot = await fundedFile('bot');
    await faucet('USDC', '1000000', bot.address);
    await faucet('SOL', '0', bot.address);
    await run(LIQUIDATOR, ['--url', RPC, '--keypair', bot.file, '--pool', pool.pool, '--once']);
    await waitText('[data-testid=history]', /Liquidate|ExecuteOrder/, 30_000);
    await shot('history');
    assert.ok(sol);
});

test('disconnected, the page offers no action and says why', async () => {
    await (await button('Disconnect')).click();
    await waitText('main', /Connect a wallet to open an account, lend and borrow/);
    assert.equal(await page.$('button.primary'), null);
    await (await button('Connect Keel Test Wallet')).click();
    await waitText('.wallet', /Keel Test Wallet/);
});
