// Exact money for display: amounts arrive as decimal strings at full source precision and are
// rounded, summed and formatted as strings (BigInt underneath), never through floats. A chart may
// take `toChartNumber` for drawing only.

interface Scaled {
  /** The value times 10^scale. */
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

function parse(amount: string): Scaled {
  const m = DECIMAL.exec(amount.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal amount: '${amount}'`);
  const frac = m[3] ?? '';
  const digits = `${m[2] || '0'}${frac}`;
  const units = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  return { units, scale: frac.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function render(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** The exact sum of decimal strings. */
export function sumAmounts(amounts: readonly string[]): string {
  if (amounts.length === 0) return '0';
  const parsed = amounts.map(parse);
  const scale = Math.max(...parsed.map((p) => p.scale));
  const total = parsed.reduce((acc, p) => acc + rescale(p, scale), 0n);
  return render(total, scale);
}

/** Rounds a decimal string to `places` (half away from zero), as a string. */
export function roundAmount(amount: string, places = 2): string {
  const p = parse(amount);
  if (p.scale <= places) return render(rescale(p, places), places);
  const drop = 10n ** BigInt(p.scale - places);
  const negative = p.units < 0n;
  const abs = negative ? -p.units : p.units;
  let q = abs / drop;
  if ((abs % drop) * 2n >= drop) q += 1n;
  if (q === 0n) return render(0n, places);
  return render(negative ? -q : q, places);
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compareAmounts(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  const scale = Math.max(pa.scale, pb.scale);
  const x = rescale(pa, scale);
  const y = rescale(pb, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * An amount for people: rounded to `places`, digits grouped the locale's way, with the currency
 * code. Grouping is done on the digit string (Intl formats only the integer part, as a BigInt).
 */
export function formatAmount(amount: string, currency: string, locale = 'en', places = 2): string {
  const rounded = roundAmount(amount, places);
  const negative = rounded.startsWith('-');
  const [whole, frac] = (negative ? rounded.slice(1) : rounded).split('.');
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1.5);
  const point = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 }).format(BigInt(whole));
  const number = `${negative ? '−' : ''}${grouped}${frac ? `${point}${frac}` : ''}`;
  return currency ? `${number} ${currency}` : number;
}

/** For drawing only (bar heights): never used for a figure a person reads. */
export function toChartNumber(amount: string): number {
  return Number(roundAmount(amount, 6));
}
