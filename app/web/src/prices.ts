// Pyth `PriceUpdateV2` accounts as the page reads them (the program re-checks everything: this
// is for display). Layout: 8 discriminator, 32 write authority, the verification level (Borsh enum:
// 0 Partial { u8 }, 1 Full), then the price message: feed id 32, price i64, conf u64, exponent
// i32, publish time i64.
export type PythPrice = { price: number; conf: number; publishTime: number; full: boolean };

export function decodePythPrice(data: Uint8Array): PythPrice | null {
    if (data.length < 8 + 32 + 2 + 32 + 28) return null;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const level = data[40];
    let at = 40 + (level === 0 ? 2 : 1) + 32;
    const price = view.getBigInt64(at, true);
    const conf = view.getBigUint64(at + 8, true);
    const expo = view.getInt32(at + 16, true);
    const publishTime = Number(view.getBigInt64(at + 20, true));
    const scale = 10 ** expo;
    return { price: Number(price) * scale, conf: Number(conf) * scale, publishTime, full: level === 1 };
}
