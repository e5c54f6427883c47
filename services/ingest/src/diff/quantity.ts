/**
 * Kubernetes resource quantities compared by meaning: "100m" == 0.1 == "0.1", "1Gi" == "1024Mi",
 * "1e3" == "1k". Values are scaled to exact BigInt units so no float rounding can hide a change.
 */
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
/** Everything is expressed in units of 10^-SCALE so that nano-units and fractions stay integral. */
const SCALE = 40;

/** Exact value of a quantity in 10^-40 units, or undefined when the text is not a quantity. */
export function parseQuantity(value: string | number): bigint | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, num = '', exp, suffix] = m;
  const [intPart = '', fracPart = ''] = num.split('.');
  let mantissa = BigInt((intPart || '0') + fracPart);
  let pow10 = -fracPart.length;
  let pow1024 = 0;
  if (exp) pow10 += Number(exp.slice(1));
  else if (suffix !== undefined) {
    if (suffix in BINARY) pow1024 = BINARY[suffix]!;
    else pow10 += DECIMAL[suffix]!;
  }
  if (pow10 + SCALE < 0 || pow10 > 60) return undefined;
  mantissa *= 10n ** BigInt(pow10 + SCALE);
  if (pow1024) mantissa *= 1024n ** BigInt(pow1024);
  return sign === '-' ? -mantissa : mantissa;
}

export function quantitiesEqual(a: string | number, b: string | number): boolean {
  const qa = parseQuantity(a);
  if (qa === undefined) return false;
  const qb = parseQuantity(b);
  return qb !== undefined && qa === qb;
}
