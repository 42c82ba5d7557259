// Royalties II in the UI: the exact checks the split editor and the payout form make as the user
// types (the engine checks again on save), and money shown with a currency's minor units.
import { compareAmounts, formatAmount, sumAmounts } from './money';

/** Statement currencies offered (the engine takes any ISO 4217 code). */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CNY', 'JPY', 'KRW', 'TWD', 'HKD', 'AUD', 'CAD', 'CHF', 'SEK', 'NOK', 'DKK', 'SGD'] as const;

/** Decimals of a currency's minor unit, as the engine counts them. */
export function minorUnits(currency: string): number {
  if (['JPY', 'KRW', 'ISK', 'CLP', 'VND', 'PYG', 'UGX', 'XAF', 'XOF'].includes(currency)) return 0;
  if (['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD'].includes(currency)) return 3;
  return 2;
}

/** An engine amount for people: the currency's minor units, grouped the locale's way. */
export function money(amount: string, currency: string, locale = 'en'): string {
  return formatAmount(amount, currency, locale, minorUnits(currency));
}

const PERCENT = /^\d{1,3}(\.\d{1,4})?$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export type ShareProblem = 'empty' | 'not_a_number' | 'too_precise' | 'out_of_range' | 'duplicate' | 'no_payee';

export interface ShareRow {
  payee_id: string;
  percent: string;
}

export interface ShareCheck {
  /** The exact total of the valid percents ("100", "99.9999"). */
  total: string;
  /** 100 less the total: what is left to give (negative: over by that much). */
  remainder: string;
  /** One problem (or null) per row. */
  problems: (ShareProblem | null)[];
  /** True when every row is valid and they total exactly 100. */
  ok: boolean;
}

function trimZeros(value: string): string {
  if (!value.includes('.')) return value;
  const t = value.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

/** Checks split rows exactly as the engine will: each above 0, at most 100, up to 4 decimals, a
 * payee each (once), and together exactly 100. */
export function checkShares(rows: readonly ShareRow[]): ShareCheck {
  const seen = new Set<string>();
  const problems = rows.map((row): ShareProblem | null => {
    const p = row.percent.trim();
    if (!row.payee_id) return 'no_payee';
    if (seen.has(row.payee_id)) return 'duplicate';
    seen.add(row.payee_id);
    if (p === '') return 'empty';
    if (!DECIMAL.test(p)) return 'not_a_number';
    if (!PERCENT.test(p)) return compareAmounts(p, '100') > 0 ? 'out_of_range' : 'too_precise';
    if (compareAmounts(p, '0') <= 0 || compareAmounts(p, '100') > 0) return 'out_of_range';
    return null;
  });
  const valid = rows.map((r) => r.percent.trim()).filter((p) => DECIMAL.test(p));
  const total = trimZeros(sumAmounts(valid));
  const remainder = trimZeros(sumAmounts(['100', `-${total}`].map((v) => v.replace(/^--/, ''))));
  const ok = rows.length > 0 && problems.every((p) => p === null) && compareAmounts(total, '100') === 0;
  return { total, remainder, problems, ok };
}

export type PayoutProblem = 'empty' | 'not_a_number' | 'too_precise' | 'not_positive' | 'exceeds_payable';

/** Checks a payout amount before it is sent: a positive decimal with at most the currency's
 * minor units, and not above what is payable. */
export function checkPayout(amount: string, payable: string, currency: string): PayoutProblem | null {
  const a = amount.trim();
  if (a === '') return 'empty';
  if (!DECIMAL.test(a)) return 'not_a_number';
  const decimals = a.includes('.') ? a.split('.')[1].length : 0;
  if (decimals > minorUnits(currency) && !/^0+$/.test(a.split('.')[1].slice(minorUnits(currency)))) return 'too_precise';
  if (compareAmounts(a, '0') <= 0) return 'not_positive';
  if (compareAmounts(a, payable) > 0) return 'exceeds_payable';
  return null;
}

/** Today as YYYY-MM-DD (local). */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
