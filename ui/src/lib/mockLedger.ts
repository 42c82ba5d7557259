// The mock host's ledger (Royalties II): payees, splits with history, advances, rates, statements
// and payouts, with the engine's checks and error codes, and its exact allocation (shares at full
// precision, largest remainder to the minor unit) so the screens' sums hold in tests too.
import type {
  Advance,
  ErrorPayload,
  FieldIssue,
  FxRate,
  IssuedPeriod,
  IssuedStatement,
  LedgerPeriod,
  Payee,
  PayeeInput,
  Payout,
  Split,
  StatementDocument,
  StatementRun,
  CurrencyTotal,
  Workspace,
} from './bindings';
import { HostError, type Args, type CommandName, type Result } from './host';
import { checkShares, minorUnits } from './ledger';
import { compareAmounts, roundAmount, sumAmounts } from './money';

type LedgerCommand =
  | 'ledger_payees'
  | 'ledger_payee_add'
  | 'ledger_payee_update'
  | 'ledger_split_history'
  | 'ledger_split_set'
  | 'ledger_split_preview'
  | 'ledger_advances'
  | 'ledger_advance_add'
  | 'ledger_rates'
  | 'ledger_rate_set'
  | 'ledger_rates_import_dialog'
  | 'ledger_rates_import_bytes'
  | 'ledger_workspace'
  | 'ledger_workspace_set'
  | 'ledger_periods'
  | 'ledger_statements'
  | 'ledger_statement_documents'
  | 'ledger_generate'
  | 'ledger_generate_cancel'
  | 'ledger_statement_export'
  | 'ledger_statements_folder'
  | 'ledger_payout_add';
export type LedgerHandlers = { [K in LedgerCommand & CommandName]: (args: Args<K>) => Result<K> };

/** What the ledger reads of the mock's catalog and lines. */
export interface LedgerDeps {
  now: () => string;
  newId: () => string;
  lines: () => { period: string; amount: string; currency: string; track_id: string | null; release_id: string | null }[];
  releaseOf: (trackId: string) => string | null;
  releaseExists: (id: string) => boolean;
  trackExists: (id: string) => boolean;
  primaryArtist: (releaseId: string) => { id: string; name: string; workspace_id: string } | null;
  artistExists: (id: string) => boolean;
  /** A live workspace of the store, else null. */
  workspace: (id: string) => Workspace | null;
  saveDialog?: (name: string) => string | null;
}

function fail(code: string, message: string, params: Record<string, string> = {}, issues: FieldIssue[] = []): never {
  throw new HostError({ code, message, params, issues } satisfies ErrorPayload);
}
function invalid(entity: string, issues: FieldIssue[]): never {
  fail('invalid_input', `invalid ${entity}`, { entity }, issues);
}

// ---- exact decimals (BigInt at a scale) ----
interface D {
  u: bigint;
  s: number;
}
function dec(v: string): D {
  const neg = v.trim().startsWith('-');
  const [w, f = ''] = v.trim().replace(/^[-+]/, '').split('.');
  return { u: BigInt(`${w || '0'}${f}`) * (neg ? -1n : 1n), s: f.length };
}
function str(d: D): string {
  const neg = d.u < 0n;
  const digits = (neg ? -d.u : d.u).toString().padStart(d.s + 1, '0');
  const w = digits.slice(0, digits.length - d.s);
  const f = d.s ? `.${digits.slice(digits.length - d.s)}` : '';
  return `${neg ? '-' : ''}${w}${f}`;
}
function mul(a: string, b: string): string {
  const x = dec(a);
  const y = dec(b);
  return str({ u: x.u * y.u, s: x.s + y.s });
}
/** `amount × percent / 100` exactly. */
function percentOf(amount: string, percent: string): string {
  const p = mul(amount, percent);
  const d = dec(p);
  return str({ u: d.u, s: d.s + 2 });
}
function sub(a: string, b: string): string {
  return sumAmounts([a, b.startsWith('-') ? b.slice(1) : `-${b}`]);
}
function floorDp(v: string, dp: number): string {
  const d = dec(v);
  if (d.s <= dp) return roundAmount(v, dp);
  const drop = 10n ** BigInt(d.s - dp);
  let q = d.u / drop;
  if (d.u < 0n && d.u % drop !== 0n) q -= 1n;
  return str({ u: q, s: dp });
}

/** The engine's split of an amount: every share but the last exact, the last what remains. */
export function splitAmount(amount: string, percents: string[]): string[] {
  const out: string[] = [];
  let given = '0';
  percents.forEach((p, i) => {
    if (i + 1 === percents.length) out.push(sub(amount, given));
    else {
      const share = percentOf(amount, p);
      given = sumAmounts([given, share]);
      out.push(share);
    }
  });
  return out;
}

/** The engine's largest-remainder rounding to `dp` decimals, summing exactly to `target`. */
export function largestRemainder(exact: string[], target: string, dp: number): string[] {
  if (!exact.length) return [];
  const rounded = exact.map((x) => floorDp(x, dp));
  const unit = dp ? `0.${'0'.repeat(dp - 1)}1` : '1';
  const missing = dec(roundAmount(sub(target, sumAmounts(rounded)), dp));
  const units = Number(missing.u);
  if (units === 0) return rounded;
  const rem = (i: number) => sub(exact[i], floorDp(exact[i], dp));
  const order = exact.map((_, i) => i);
  order.sort((a, b) => (units > 0 ? compareAmounts(rem(b), rem(a)) : compareAmounts(rem(a), rem(b))) || a - b);
  for (let k = 0; k < Math.abs(units); k++) {
    const i = order[k % order.length];
    rounded[i] = roundAmount(units > 0 ? sumAmounts([rounded[i], unit]) : sub(rounded[i], unit), dp);
  }
  return rounded;
}

interface StoredAdvance extends Omit<Advance, 'recouped' | 'remaining'> {
  recouped: string;
}
interface Run {
  period: string;
  taken: number;
  totals: CurrencyTotal[];
  statements: IssuedStatement[];
  documents: StatementDocument[];
  issued_at: string;
}

export function createMockLedger(deps: LedgerDeps): { handlers: LedgerHandlers } {
  const payees: Payee[] = [];
  const splits: (Split & { created: number })[] = [];
  const advances: StoredAdvance[] = [];
  const rates: FxRate[] = [];
  const payouts: Payout[] = [];
  const runs: Run[] = [];
  let ledgerWorkspace: string | null = null;
  let created = 0;

  const payee = (id: string) => payees.find((p) => p.id === id) ?? fail('not_found', `payee ${id} not found`, { entity: 'payee', id });

  function checkPayee(input: PayeeInput, current: Payee | null): Omit<Payee, 'id' | 'workspace_id'> {
    const issues: FieldIssue[] = [];
    const name = input.name.trim();
    if (!name) issues.push({ field: 'name', reason: 'required', detail: 'name is required' });
    let currency = input.currency?.trim().toUpperCase() || current?.currency || 'USD';
    if (!/^[A-Z]{3}$/.test(currency)) {
      issues.push({ field: 'currency', reason: 'invalid_currency', detail: `'${input.currency}' is not an ISO 4217 currency code` });
      currency = '';
    }
    const email = input.email?.trim() || null;
    if (email && !email.includes('@')) issues.push({ field: 'email', reason: 'invalid_email', detail: `'${email}' is not an e-mail address` });
    if (input.artist_id && !deps.artistExists(input.artist_id)) fail('not_found', `artist ${input.artist_id} not found`, { entity: 'artist', id: input.artist_id });
    if (input.artist_id && payees.some((p) => p.artist_id === input.artist_id && p.id !== current?.id))
      issues.push({ field: 'artist_id', reason: 'taken', detail: 'this artist already has a payee' });
    if (issues.length) invalid('payee', issues);
    return { name, currency, email, artist_id: input.artist_id ?? null, platform_user_id: input.platform_user_id?.trim() || null };
  }

  const paidOf = (id: string) => sumAmounts(payouts.filter((p) => p.payee_id === id).map((p) => p.amount));
  const issuedOf = (id: string) => runs.flatMap((r) => r.statements.filter((s) => s.payee_id === id));
  const payableOf = (id: string) => sub(sumAmounts(issuedOf(id).map((s) => s.payable)), paidOf(id));
  const advancesOf = (id: string): Advance[] =>
    advances
      .filter((a) => a.payee_id === id)
      .sort((a, b) => a.incurred_on.localeCompare(b.incurred_on) || a.id.localeCompare(b.id))
      .map((a) => ({ ...a, remaining: sub(a.payee_amount, a.recouped) }));

  function shareIssues(shares: { payee_id: string; percent: string }[]): void {
    const check = checkShares(shares);
    if (check.ok) return;
    const issues: FieldIssue[] = check.problems.flatMap((p, i) =>
      p ? [{ field: p === 'duplicate' || p === 'no_payee' ? `shares[${i}].payee_id` : `shares[${i}].percent`, reason: p, detail: p }] : [],
    );
    if (!shares.length) issues.push({ field: 'shares', reason: 'required', detail: 'at least one share is required' });
    else if (check.problems.every((p) => p === null)) issues.push({ field: 'shares', reason: 'total_not_100', detail: `shares total ${check.total}; they must total exactly 100` });
    invalid('split', issues);
  }

  /** The live split of a target for lines of `period` (the latest start month at or before it). */
  function splitFor(scope: 'release' | 'track', target: string, period: string): Split | null {
    const live = splits
      .filter((s) => s.scope === scope && s.target_id === target && !s.superseded && (!s.effective_from || s.effective_from.slice(0, 7) <= period))
      .sort((a, b) => (a.effective_from ?? '').localeCompare(b.effective_from ?? '') || a.created - b.created);
    return live.at(-1) ?? null;
  }

  function artistPayee(releaseId: string): string | null {
    const a = deps.primaryArtist(releaseId);
    if (!a) return null;
    const found = payees.find((p) => p.artist_id === a.id);
    if (found) return found.id;
    const p: Payee = { id: deps.newId(), workspace_id: a.workspace_id, name: a.name, currency: 'USD', email: null, artist_id: a.id, platform_user_id: null };
    payees.push(p);
    return p.id;
  }

  function rateOn(from: string, to: string, date: string): string {
    if (from === to) return '1';
    const found = rates.filter((r) => r.base === from && r.quote === to && r.date <= date).sort((a, b) => b.date.localeCompare(a.date))[0];
    if (found) return found.rate;
    fail('fx_rate_missing', `no exchange rate from ${from} to ${to} on or before ${date}`, { from, to, date });
  }

  function lastDay(period: string): string {
    const [y, m] = period.split('-').map(Number);
    const d = new Date(Date.UTC(y, m, 0));
    return d.toISOString().slice(0, 10);
  }

  function generate(period: string): StatementRun {
    const latest = runs.at(-1);
    if (latest && period < latest.period) fail('period_closed', `${period} is closed`, { period, latest: latest.period });
    if (latest && period === latest.period)
      return { period, statements: latest.statements.map((s) => summary(s, period)), totals: latest.totals, regenerated: true };
    const all = deps.lines();
    // Lines of months up to the period not taken by an earlier run (later imports of a closed
    // month are adjustments in the next run).
    const takenBy = (i: number, p: string) => runs.some((r) => i < r.taken && p <= r.period);
    const lines = all.map((l, i) => ({ ...l, i })).filter((l) => l.period <= period && !takenBy(l.i, l.period));
    // Per currency: exact per payee ('' = unallocated).
    const perCurrency = new Map<string, { lines: number; total: string; by: Map<string, string> }>();
    for (const l of lines) {
      const release = l.track_id ? deps.releaseOf(l.track_id) : l.release_id;
      let shares: { payee_id: string; percent: string }[] = [];
      const split = (l.track_id && splitFor('track', l.track_id, l.period)) || (release && splitFor('release', release, l.period)) || null;
      if (split) shares = split.shares;
      else if (release) {
        const p = artistPayee(release);
        if (p) shares = [{ payee_id: p, percent: '100' }];
      }
      const c = perCurrency.get(l.currency) ?? { lines: 0, total: '0', by: new Map<string, string>() };
      c.lines += 1;
      c.total = sumAmounts([c.total, l.amount]);
      if (!shares.length) c.by.set('', sumAmounts([c.by.get('') ?? '0', l.amount]));
      else
        splitAmount(l.amount, shares.map((s) => s.percent)).forEach((part, k) => {
          c.by.set(shares[k].payee_id, sumAmounts([c.by.get(shares[k].payee_id) ?? '0', part]));
        });
      perCurrency.set(l.currency, c);
    }
    const totals: CurrencyTotal[] = [];
    const earnedBy = new Map<string, string>();
    const date = lastDay(period);
    for (const [currency, c] of [...perCurrency].sort(([a], [b]) => a.localeCompare(b))) {
      const dp = minorUnits(currency);
      const keys = [...c.by.keys()].sort();
      const rounded = largestRemainder(keys.map((k) => c.by.get(k)!), roundAmount(c.total, dp), dp);
      let unallocated = roundAmount('0', dp);
      keys.forEach((k, i) => {
        if (k === '') unallocated = rounded[i];
        else {
          const p = payee(k);
          const converted = roundAmount(mul(rounded[i], rateOn(currency, p.currency, date)), minorUnits(p.currency));
          earnedBy.set(k, sumAmounts([earnedBy.get(k) ?? '0', converted]));
        }
      });
      totals.push({ currency, lines: c.lines, imported: c.total, rounded: roundAmount(c.total, dp), allocated: sub(roundAmount(c.total, dp), unallocated), unallocated });
    }
    const statements: IssuedStatement[] = [];
    for (const [id, earnedRaw] of earnedBy) {
      const p = payee(id);
      const earned = roundAmount(earnedRaw, minorUnits(p.currency));
      let pool = compareAmounts(earned, '0') > 0 ? earned : '0';
      let recouped = '0';
      for (const a of advancesOf(id).filter((x) => x.incurred_on <= date)) {
        const take = compareAmounts(a.remaining, pool) < 0 ? a.remaining : pool;
        if (compareAmounts(take, '0') <= 0) continue;
        const stored = advances.find((x) => x.id === a.id)!;
        stored.recouped = sumAmounts([stored.recouped, take]);
        pool = sub(pool, take);
        recouped = sumAmounts([recouped, take]);
      }
      const dp = minorUnits(p.currency);
      const payable = roundAmount(sub(earned, recouped), dp);
      statements.push({
        statement_id: deps.newId(),
        payee_id: id,
        payee: p.name,
        currency: p.currency,
        earned,
        recouped: roundAmount(recouped, dp),
        payable,
        balance: roundAmount(sumAmounts([payableOf(id), payable]), dp),
      });
    }
    statements.sort((a, b) => a.payee.localeCompare(b.payee));
    const documents: StatementDocument[] = statements.map((s) => ({
      statement_id: s.statement_id,
      period,
      issuer: 'Roadie',
      payee_id: s.payee_id,
      payee: s.payee,
      currency: s.currency,
      rate_date: date,
      by_currency: [],
      earnings: [],
      recoupment: [],
      balance_brought_forward: payableOf(s.payee_id),
      payments: '0',
      payments_to_date: paidOf(s.payee_id),
      earned: s.earned,
      recouped: s.recouped,
      payable: s.payable,
      balance: s.balance,
    }));
    runs.push({ period, taken: all.length, totals, statements, documents, issued_at: deps.now() });
    return { period, statements: statements.map((s) => summary(s, period)), totals, regenerated: false };
  }

  const summary = (s: IssuedStatement, period: string) => ({
    payee_id: s.payee_id,
    payee: s.payee,
    currency: s.currency,
    earned: s.earned,
    recouped: s.recouped,
    payable: s.payable,
    pdf: `/home/you/Statements/${period}/${period}_${s.payee_id}.pdf`,
    csv: `/home/you/Statements/${period}/${period}_${s.payee_id}.csv`,
  });

  const handlers: LedgerHandlers = {
    ledger_payees: () =>
      [...payees]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => {
          const issued = issuedOf(p.id);
          return {
            payee: p,
            earned: sumAmounts(issued.map((s) => s.earned)),
            recouped: sumAmounts(issued.map((s) => s.recouped)),
            unrecouped: sumAmounts(advancesOf(p.id).map((a) => a.remaining)),
            paid: paidOf(p.id),
            payable: payableOf(p.id),
            statements: issued.length,
          };
        }),
    ledger_payee_add: ({ workspace_id, input }) => {
      const p: Payee = { id: deps.newId(), workspace_id, ...checkPayee(input, null) };
      payees.push(p);
      return p;
    },
    ledger_payee_update: ({ id, input }) => {
      const current = payee(id);
      Object.assign(current, checkPayee(input, current));
      return current;
    },
    ledger_split_history: ({ scope, target_id }) =>
      splits
        .filter((s) => s.scope === scope && s.target_id === target_id)
        .sort((a, b) => (a.effective_from ?? '').localeCompare(b.effective_from ?? '') || a.created - b.created)
        .map(({ created: _c, ...s }) => s),
    ledger_split_set: ({ input }) => {
      shareIssues(input.shares);
      const scope = input.target.by === 'track' || input.target.by === 'isrc' ? 'track' : 'release';
      const target = input.target.value;
      if (scope === 'track' ? !deps.trackExists(target) : !deps.releaseExists(target)) fail('not_found', `${scope} ${target} not found`, { entity: scope, id: target });
      const shares = input.shares.map((s) => ({ payee_id: s.payee_id, payee: payee(s.payee_id).name, percent: s.percent.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') }));
      for (const s of splits) if (s.scope === scope && s.target_id === target && s.effective_from === input.effective_from) s.superseded = true;
      const split = { id: deps.newId(), scope, target_id: target, effective_from: input.effective_from, superseded: false, shares, created: created++ } as Split & { created: number };
      splits.push(split);
      const { created: _c, ...out } = split;
      return out;
    },
    ledger_split_preview: ({ scope, target_id, shares }) => {
      shareIssues(shares);
      const ownSplit = (t: string | null) => !!t && splits.some((s) => s.scope === 'track' && s.target_id === t && !s.superseded);
      const mine = deps
        .lines()
        .filter((l) => (scope === 'track' ? l.track_id === target_id : l.release_id === target_id || (l.track_id && deps.releaseOf(l.track_id) === target_id && !ownSplit(l.track_id))));
      if (!mine.length) return { period: null, currencies: [] };
      const period = mine.map((l) => l.period).sort().at(-1)!;
      const byCurrency = new Map<string, { lines: number; total: string; parts: string[] }>();
      for (const l of mine.filter((x) => x.period === period)) {
        const c = byCurrency.get(l.currency) ?? { lines: 0, total: '0', parts: shares.map(() => '0') };
        c.lines += 1;
        c.total = sumAmounts([c.total, l.amount]);
        splitAmount(l.amount, shares.map((s) => s.percent)).forEach((p, i) => (c.parts[i] = sumAmounts([c.parts[i], p])));
        byCurrency.set(l.currency, c);
      }
      return {
        period,
        currencies: [...byCurrency]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([currency, c]) => {
            const dp = minorUnits(currency);
            const total = roundAmount(c.total, dp);
            const amounts = largestRemainder(c.parts, total, dp);
            return { currency, lines: c.lines, total, shares: shares.map((s, i) => ({ payee_id: s.payee_id, payee: payee(s.payee_id).name, percent: s.percent, amount: amounts[i] })) };
          }),
      };
    },
    ledger_advances: ({ payee_id }) => {
      payee(payee_id);
      return advancesOf(payee_id);
    },
    ledger_advance_add: ({ input }) => {
      const p = payee(input.payee_id);
      const issues: FieldIssue[] = [];
      const currency = input.currency.trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) issues.push({ field: 'currency', reason: 'invalid_currency', detail: 'not a currency code' });
      if (!/^\d+(\.\d+)?$/.test(input.amount.trim()) || compareAmounts(input.amount, '0') <= 0)
        issues.push({ field: 'amount', reason: 'out_of_range', detail: 'an advance is above 0' });
      if (issues.length) invalid('advance', issues);
      if (input.release_id && !deps.releaseExists(input.release_id)) fail('not_found', `release ${input.release_id} not found`, { entity: 'release', id: input.release_id });
      const rate = rateOn(currency, p.currency, input.incurred_on);
      const a: StoredAdvance = {
        id: deps.newId(),
        payee_id: p.id,
        kind: input.kind,
        amount: input.amount,
        currency,
        payee_amount: roundAmount(mul(input.amount, rate), minorUnits(p.currency)),
        rate,
        release_id: input.release_id,
        incurred_on: input.incurred_on,
        note: input.note?.trim() || null,
        recouped: '0',
      };
      advances.push(a);
      return advancesOf(p.id).find((x) => x.id === a.id)!;
    },
    ledger_rates: ({ limit }) => [...rates].sort((a, b) => b.date.localeCompare(a.date) || a.base.localeCompare(b.base) || a.quote.localeCompare(b.quote)).slice(0, limit),
    ledger_rate_set: ({ input }) => {
      const issues: FieldIssue[] = [];
      const from = input.from.trim().toUpperCase();
      const to = input.to.trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(from)) issues.push({ field: 'from', reason: 'invalid_currency', detail: 'not a currency code' });
      if (!/^[A-Z]{3}$/.test(to)) issues.push({ field: 'to', reason: 'invalid_currency', detail: 'not a currency code' });
      if (from === to && from) issues.push({ field: 'to', reason: 'same_currency', detail: 'a rate converts between two currencies' });
      if (!/^\d+(\.\d+)?$/.test(input.rate.trim()) || compareAmounts(input.rate, '0') <= 0) issues.push({ field: 'rate', reason: 'out_of_range', detail: 'a rate is above 0' });
      if (issues.length) invalid('rate', issues);
      const r: FxRate = { date: input.date, base: from, quote: to, rate: input.rate.trim(), source: 'manual' };
      const i = rates.findIndex((x) => x.date === r.date && x.base === from && x.quote === to && x.source === 'manual');
      if (i >= 0) rates[i] = r;
      else rates.push(r);
      return r;
    },
    ledger_rates_import_dialog: () => null,
    ledger_rates_import_bytes: ({ name, bytes }) => {
      const text = new TextDecoder().decode(new Uint8Array(bytes));
      const rows = text.split(/\r?\n/).filter((l) => l.trim());
      const header = (rows.shift() ?? '').split(',').map((c) => c.trim());
      if (header[0] !== 'Date') fail('bad_line', `${name}: line 1: not an ECB rates file`, { path: name, line: '1', reason: 'not an ECB rates file' });
      let stored = 0;
      let missing = 0;
      const dates: string[] = [];
      for (const row of rows) {
        const cells = row.split(',').map((c) => c.trim());
        const date = cells[0];
        dates.push(date);
        header.slice(1).forEach((cur, k) => {
          const v = cells[k + 1];
          if (!cur) return;
          if (!v || v === 'N/A') missing += 1;
          else {
            rates.push({ date, base: 'EUR', quote: cur, rate: v, source: 'ecb' });
            stored += 1;
          }
        });
      }
      dates.sort();
      return { path: name, days: rows.length, rates: stored, missing, currencies: header.slice(1).filter(Boolean), first_date: dates[0] ?? null, last_date: dates.at(-1) ?? null };
    },
    ledger_workspace: () => (ledgerWorkspace ? deps.workspace(ledgerWorkspace) : null),
    ledger_workspace_set: ({ workspace_id }) => {
      if (workspace_id && !deps.workspace(workspace_id)) fail('not_found', `workspace ${workspace_id} not found`, { entity: 'workspace', id: workspace_id });
      ledgerWorkspace = workspace_id;
      return workspace_id ? deps.workspace(workspace_id) : null;
    },
    ledger_periods: () => {
      const counts = new Map<string, number>();
      for (const l of deps.lines()) counts.set(l.period, (counts.get(l.period) ?? 0) + 1);
      return [...counts]
        .sort(([a], [b]) => b.localeCompare(a))
        .map(([period, lines]): LedgerPeriod => ({ period, lines, issued: runs.some((r) => r.period === period) }));
    },
    ledger_statements: ({ period }): IssuedPeriod | null => {
      const run = runs.find((r) => r.period === period);
      return run ? { period, issued_at: run.issued_at, statements: run.statements, totals: run.totals } : null;
    },
    ledger_statement_documents: ({ period }) => runs.find((r) => r.period === period)?.documents ?? [],
    ledger_generate: (args) => {
      const run = generate(args.period);
      const n = run.statements.length;
      args.on_generate?.onmessage?.({ done: n, total: n });
      return run;
    },
    ledger_generate_cancel: () => false,
    ledger_statement_export: ({ period, payee_id, kind }) => {
      const p = payee(payee_id);
      return deps.saveDialog ? deps.saveDialog(`${period} ${p.name}.${kind === 'csv' ? 'csv' : 'pdf'}`) : null;
    },
    ledger_statements_folder: ({ period }) => `/home/you/Statements/${period}`,
    ledger_payout_add: ({ input }) => {
      const p = payee(input.payee_id);
      const currency = input.currency.trim().toUpperCase();
      const issues: FieldIssue[] = [];
      if (currency !== p.currency) issues.push({ field: 'currency', reason: 'wrong_currency', detail: `payouts to ${p.name} are in ${p.currency}` });
      const amount = input.amount.trim();
      if (!/^\d+(\.\d+)?$/.test(amount) || compareAmounts(amount, '0') <= 0) issues.push({ field: 'amount', reason: 'out_of_range', detail: 'a payout is above 0' });
      else if ((amount.split('.')[1] ?? '').length > minorUnits(p.currency)) issues.push({ field: 'amount', reason: 'too_precise', detail: 'more decimals than the currency has' });
      if (issues.length) invalid('payout', issues);
      const payable = payableOf(p.id);
      if (compareAmounts(amount, payable) > 0)
        fail('payout_exceeds_payable', `a payout of ${amount} ${p.currency} exceeds what is payable to ${p.name} (${payable} ${p.currency})`, {
          payee: p.name,
          amount,
          payable,
          currency: p.currency,
        });
      const payout: Payout = { id: deps.newId(), payee_id: p.id, amount, currency, paid_on: input.paid_on, method: input.method?.trim() || null, reference: input.reference?.trim() || null, payable_after: sub(payable, amount) };
      payouts.push(payout);
      return payout;
    },
  };
  return { handlers };
}
