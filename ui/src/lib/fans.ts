// The Fans screen's logic that is not markup: a page cache for the virtualised table, the visible
// window of rows, filters, and the import wizard's mapping.
import type { ContactFilter, ContactSummary, FanField, MappingSuggestion } from './bindings';
import { language, t } from './i18n';

export const PAGE_SIZE = 200;
export const ROW_HEIGHT = 40;

export function emptyFilter(): ContactFilter {
  return {
    query: null,
    tags: [],
    country: null,
    city: null,
    source: null,
    consent: null,
    last_activity_before: null,
    last_activity_after: null,
    spend_above: null,
    spend_below: null,
    spend_currency: null,
    purchased_release: null,
  };
}

/** The filter with its blanks as the engine wants them (null, not ""). */
export function cleanFilter(filter: ContactFilter): ContactFilter {
  const text = (v: string | null) => (v && v.trim() ? v.trim() : null);
  return {
    ...filter,
    query: text(filter.query),
    tags: filter.tags.map((t) => t.trim()).filter(Boolean),
    country: text(filter.country)?.toUpperCase() ?? null,
    city: text(filter.city),
    source: text(filter.source),
    spend_above: text(filter.spend_above),
    spend_below: text(filter.spend_below),
    // A currency means something only with an amount.
    spend_currency: text(filter.spend_above) || text(filter.spend_below) ? (text(filter.spend_currency)?.toUpperCase() ?? null) : null,
  };
}

/** An ISO time as the local date an `<input type="date">` shows (YYYY-MM-DD), or "". */
export function dateInputValue(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The start of a local date (YYYY-MM-DD) as an ISO time, or null when blank or not a date. */
export function dateInputTime(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** How many of the Fans table's lower-priority columns give way at this width (0 to 3). */
export function narrowLevel(width: number): number {
  if (width <= 0 || width >= 820) return 0;
  if (width >= 640) return 1;
  if (width >= 460) return 2;
  return 3;
}

export function sameFilter(a: ContactFilter, b: ContactFilter): boolean {
  return JSON.stringify(cleanFilter(a)) === JSON.stringify(cleanFilter(b));
}

/** Which rows to render: the visible ones plus `overscan` on each side. */
export function visibleRange(scrollTop: number, viewport: number, total: number, rowHeight = ROW_HEIGHT, overscan = 10): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** A row's place in the Fans table's order, as the engine's `ContactCursor` (name, then id). */
export interface ContactCursor {
  name: string | null;
  id: string;
}

/** Fetching rows next to a known row (keyset paging): `after` it, or `before` it in table order. */
export interface KeysetFetch {
  after(cursor: ContactCursor, limit: number): Promise<ContactSummary[]>;
  before(cursor: ContactCursor, limit: number): Promise<ContactSummary[]>;
}

export function cursorOf(row: ContactSummary): ContactCursor {
  return { name: row.name, id: row.id };
}

/**
 * Rows of a filtered list, fetched a page at a time as they are needed. A new filter starts a new
 * pager; an answer for an old one is dropped. A page next to a loaded (or loading) one is read by
 * keyset, after that page's last row or before its first, in the same time deep in the list as at
 * its top; a page far from any other (the first, or where the scrollbar was dropped) by offset,
 * which also gives the total.
 */
export class ContactPager {
  total: number | null = null;
  private pages = new Map<number, ContactSummary[]>();
  private loading = new Map<number, Promise<void>>();

  constructor(
    private readonly fetch: (offset: number, limit: number) => Promise<{ total: number; rows: ContactSummary[] }>,
    private readonly onchange: () => void,
    readonly pageSize = PAGE_SIZE,
    private readonly keyset: KeysetFetch | null = null,
  ) {}

  row(index: number): ContactSummary | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Makes sure the rows from `start` to `end` (exclusive) are loaded or loading. */
  ensure(start: number, end: number): Promise<void> {
    const first = Math.floor(start / this.pageSize);
    const last = Math.floor(Math.max(start, end - 1) / this.pageSize);
    const waits: Promise<void>[] = [];
    // In order, so each page after the first finds its neighbour loading and follows it.
    for (let page = first; page <= last; page++) waits.push(this.load(page));
    return Promise.all(waits).then(() => undefined);
  }

  private load(page: number): Promise<void> {
    if (this.pages.has(page)) return Promise.resolve();
    const pending = this.loading.get(page);
    if (pending) return pending;
    if (this.total !== null && page * this.pageSize >= this.total && page > 0) return Promise.resolve();
    const promise = this.read(page)
      .then((rows) => {
        this.pages.set(page, rows);
        this.onchange();
      })
      .finally(() => this.loading.delete(page));
    this.loading.set(page, promise);
    return promise;
  }

  /** A page's rows: by keyset from a neighbour when there is one, else by offset. */
  private async read(page: number): Promise<ContactSummary[]> {
    const size = this.pageSize;
    if (this.keyset) {
      const previous = this.loading.get(page - 1);
      if (this.pages.has(page - 1) || previous) {
        await previous?.catch(() => undefined);
        const rows = this.pages.get(page - 1);
        if (rows && rows.length === size) return this.keyset.after(cursorOf(rows[size - 1]), size);
      }
      const next = this.loading.get(page + 1);
      if (this.pages.has(page + 1) || next) {
        await next?.catch(() => undefined);
        const rows = this.pages.get(page + 1);
        if (rows && rows.length > 0) return this.keyset.before(cursorOf(rows[0]), size);
      }
    }
    const result = await this.fetch(page * size, size);
    this.total = result.total;
    return result.rows;
  }

  /** How many pages are held (for tests: a long scroll must not load everything). */
  get loadedPages(): number {
    return this.pages.size;
  }
}

export const FAN_FIELDS: FanField[] = ['name', 'first_name', 'last_name', 'email', 'phone', 'city', 'region', 'country', 'language', 'notes', 'tags', 'joined'];

/** Fields more than one column is assigned to. */
export function mappingConflicts(columns: (FanField | null)[]): FanField[] {
  const seen = new Set<FanField>();
  const conflicts = new Set<FanField>();
  for (const c of columns) {
    if (!c) continue;
    if (seen.has(c)) conflicts.add(c);
    seen.add(c);
  }
  return [...conflicts];
}

/** A mapping can be used when no field is claimed twice and something identifies a fan. */
export function mappingUsable(columns: (FanField | null)[]): boolean {
  return mappingConflicts(columns).length === 0 && columns.some((c) => c === 'email' || c === 'phone' || c === 'name' || c === 'first_name');
}

/** The mapping as saved by the engine: field → header text. */
export function mappingFields(headers: string[], columns: (FanField | null)[]): Partial<Record<FanField, string>> {
  const fields: Partial<Record<FanField, string>> = {};
  columns.forEach((c, i) => {
    if (c) fields[c] = headers[i];
  });
  return fields;
}

export function sameColumns(a: MappingSuggestion['columns'], b: MappingSuggestion['columns']): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Debounces a function: the last call wins after `ms` of quiet. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const wrapped = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return wrapped;
}

/**
 * A segment's filters as one line a person reads ("tagged vip · in CN · opted in"), in the current
 * language. `releaseTitle` names a release by id (the segment stores only the id).
 */
export function describeFilter(filter: ContactFilter, releaseTitle: (id: string) => string | null = () => null): string {
  const f = cleanFilter({ ...emptyFilter(), ...filter });
  const day = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(language(), { dateStyle: 'medium' }).format(d);
  };
  const list = (items: string[]) => items.join(t('fans.describe.and'));
  const parts: string[] = [];
  if (f.query) parts.push(t('fans.describe.query', { text: f.query }));
  if (f.tags.length) parts.push(t('fans.describe.tags', { tags: list(f.tags) }));
  if (f.country) parts.push(t('fans.describe.country', { country: f.country }));
  if (f.city) parts.push(t('fans.describe.city', { city: f.city }));
  if (f.source) parts.push(t('fans.describe.source', { source: f.source }));
  if (f.consent) parts.push(t(`consent.${f.consent}`));
  if (f.last_activity_after) parts.push(t('fans.describe.activeAfter', { date: day(f.last_activity_after) }));
  if (f.last_activity_before) parts.push(t('fans.describe.activeBefore', { date: day(f.last_activity_before) }));
  if (f.spend_above) parts.push(t('fans.describe.spendAbove', { amount: f.spend_above, currency: f.spend_currency ?? '' }));
  if (f.spend_below) parts.push(t('fans.describe.spendBelow', { amount: f.spend_below, currency: f.spend_currency ?? '' }));
  if (f.purchased_release) {
    const title = releaseTitle(f.purchased_release);
    parts.push(title ? t('fans.describe.purchased', { title }) : t('fans.describe.purchasedUnknown'));
  }
  return parts.length ? parts.join(t('fans.describe.separator')) : t('fans.describe.everyone');
}
