// Money as the program counts it: token amounts are bigint base units, parsed from and formatted
// to decimal strings exactly (no floating point); USD and percentages are display-only numbers.

/** Why an amount was refused. */
export class AmountError extends Error {}

/** `text` (e.g. "12.5") in base units of a mint with `decimals`; exact, or an AmountError. */
export function parseAmount(text: string, decimals: number): bigint {
    return parseDecimal(text, decimals, 2n ** 64n - 1n);
}

/** `text` as an integer scaled by 10^`decimals`, exact, at most `max` (a Wad price: 18, u128). */
export function parseDecimal(text: string, decimals: number, max: bigint): bigint {
    const t = text.trim();
    if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) throw new AmountError('Enter an amount like 12.5');
    const [whole, frac = ''] = t.split('.');
    if (frac.length > decimals) {
        throw new AmountError(`This token has ${decimals} decimals: at most ${decimals} digits after the point`);
    }
    const units = BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
    if (units === 0n) throw new AmountError('Enter an amount above zero');
    if (units > max) throw new AmountError('That amount is too large');
    return units;
}

/** Base units as a decimal string with at most `shown` decimals (rounded down), thousands grouped. */
export function formatAmount(units: bigint, decimals: number, shown = decimals): string {
    const scale = 10n ** BigInt(decimals);
    const whole = units / scale;
    let frac = (units % scale).toString().padStart(decimals, '0').slice(0, shown).replace(/0+$/, '');
    const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return frac ? `${grouped}.${frac}` : grouped;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const usdPrice = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 6 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 2 });

export const formatUsd = (v: number) => usd.format(v);
export const formatPrice = (v: number) => usdPrice.format(v);
export const formatPct = (v: number) => pct.format(v);

/** A Wad (18 decimals, as the program's fixed point) as a number, for display. */
export const wad = (w: readonly [bigint] | { 0: bigint }) => Number(w[0]) / 1e18;
