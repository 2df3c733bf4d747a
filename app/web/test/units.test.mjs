// The page's own arithmetic, loaded through Vite (the TypeScript as the bundle has it): exact token
// amounts, Pyth account decoding, the interest curve's display rates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'vite';

let server, money, prices, math;

before(async () => {
    server = await createServer({ root: new URL('..', import.meta.url).pathname, server: { middlewareMode: true }, logLevel: 'silent' });
    money = await server.ssrLoadModule('/src/money.ts');
    prices = await server.ssrLoadModule('/src/prices.ts');
    math = await server.ssrLoadModule('/src/market_math.ts');
});
after(() => server?.close());

test('amounts parse exactly, to the mint\'s decimals, and refuse the rest with a reason', () => {
    const { parseAmount, AmountError } = money;
    assert.equal(parseAmount('12.5', 6), 12_500_000n);
    assert.equal(parseAmount('0.000000001', 9), 1n);
    assert.equal(parseAmount('.5', 2), 50n);
    assert.equal(parseAmount('18446744073709551615', 0), 2n ** 64n - 1n);
    for (const [text, decimals, why] of [
        ['1.0000001', 6, /at most 6 digits/],
        ['0', 6, /above zero/],
        ['1e3', 6, /like 12.5/],
        ['-1', 6, /like 12.5/],
        ['18446744073709551616', 0, /too large/],
    ]) {
        assert.throws(() => parseAmount(text, decimals), e => e instanceof AmountError && why.test(e.message), text);
    }
});

test('formatting then parsing gives the amount back (10,000 random amounts and decimals)', () => {
    const { parseAmount, formatAmount } = money;
    let seed = 7n;
    const next = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n);
    for (let i = 0; i < 10_000; i++) {
        const units = (next() % (2n ** 64n - 1n)) + 1n;
        const decimals = Number(next() % 13n);
        const text = formatAmount(units, decimals).replace(/,/g, '');
        assert.equal(parseAmount(text, decimals), units, `${units} at ${decimals}: ${text}`);
    }
    assert.equal(formatAmount(1_234_567_890n, 6, 2), '1,234.56');
});

test('a PriceUpdateV2 decodes, fully or partially verified', () => {
    const { decodePythPrice } = prices;
    for (const full of [true, false]) {
        const data = new Uint8Array(134);
        const view = new DataView(data.buffer);
        data[40] = full ? 1 : 0;
        const at = 40 + (full ? 1 : 2) + 32;
        view.setBigInt64(at, 15_000_000_000n, true);
        view.setBigUint64(at + 8, 15_000_000n, true);
        view.setInt32(at + 16, -8, true);
        view.setBigInt64(at + 20, 1_800_000_000n, true);
        const p = decodePythPrice(data);
        assert.equal(p.price, 150);
        assert.equal(p.conf, 0.15);
        assert.equal(p.publishTime, 1_800_000_000);
        assert.equal(p.full, full);
    }
    assert.equal(decodePythPrice(new Uint8Array(10)), null);
});

test('the curve\'s rates: the kink at the optimal utilisation, supply less the reserve', () => {
    const market = { config: { curve: { baseRateBps: 0, slope1Bps: 1_000, slope2Bps: 30_000, optimalUtilBps: 8_000 }, reserveFactorBps: 1_000 } };
    const at = u => math.rates(market, u);
    assert.equal(at(0).borrow, 0);
    assert.ok(Math.abs(at(0.8).borrow - 0.1) < 1e-12);
    assert.ok(Math.abs(at(1).borrow - 3.1) < 1e-12);
    assert.ok(Math.abs(at(0.8).supply - 0.1 * 0.8 * 0.9) < 1e-12);
    assert.equal(math.sharesToUnits(3n, [2n * 10n ** 18n]), 6n);
});
