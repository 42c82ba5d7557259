import { describe, expect, it, vi } from 'vitest';
import type { ContactSummary } from './bindings';
import { ContactPager, cleanFilter, dateInputTime, dateInputValue, emptyFilter, mappingConflicts, narrowLevel, mappingFields, mappingUsable, visibleRange } from './fans';

const row = (i: number): ContactSummary => ({ id: `id-${i}`, name: `Fan ${i}`, email: null, city: null, country: null, tags: [], consent: 'unknown', last_activity: null });

describe('the virtualised table', () => {
  it('renders only the visible rows and a few around them', () => {
    expect(visibleRange(0, 400, 100_000, 40, 10)).toEqual({ start: 0, end: 21 });
    expect(visibleRange(40 * 50_000, 400, 100_000, 40, 10)).toEqual({ start: 49_990, end: 50_021 });
    expect(visibleRange(40 * 99_990, 400, 100_000, 40, 10)).toEqual({ start: 99_980, end: 100_000 });
    expect(visibleRange(0, 400, 0)).toEqual({ start: 0, end: 0 });
  });

  it('fetches a page at a time, once, and only the pages it is asked for', async () => {
    const fetch = vi.fn(async (offset: number, limit: number) => ({ total: 100_000, rows: Array.from({ length: limit }, (_, i) => row(offset + i)) }));
    const pager = new ContactPager(fetch, () => {}, 200);
    await Promise.all([pager.ensure(0, 30), pager.ensure(10, 40)]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(pager.total).toBe(100_000);
    expect(pager.row(25)?.name).toBe('Fan 25');
    await pager.ensure(50_000, 50_030);
    expect(fetch).toHaveBeenLastCalledWith(50_000, 200);
    expect(pager.row(50_010)?.name).toBe('Fan 50010');
    expect(pager.loadedPages).toBe(2);
    expect(pager.row(1_000)).toBeUndefined();
  });
});

describe('keyset paging', () => {
  const TOTAL = 100_000;
  const index = (id: string) => Number(id.slice(3));
  const make = () => {
    const fetch = vi.fn(async (offset: number, limit: number) => ({ total: TOTAL, rows: Array.from({ length: Math.min(limit, TOTAL - offset) }, (_, i) => row(offset + i)) }));
    const after = vi.fn(async (c: { id: string }, limit: number) => Array.from({ length: Math.min(limit, TOTAL - index(c.id) - 1) }, (_, i) => row(index(c.id) + 1 + i)));
    const before = vi.fn(async (c: { id: string }, limit: number) => {
      const start = Math.max(0, index(c.id) - limit);
      return Array.from({ length: index(c.id) - start }, (_, i) => row(start + i));
    });
    return { fetch, after, before, pager: new ContactPager(fetch, () => {}, 200, { after, before }) };
  };

  it('reads a page next to a loaded one after its last row, and a page before one before its first', async () => {
    const { fetch, after, before, pager } = make();
    await pager.ensure(0, 30);
    expect(fetch).toHaveBeenCalledTimes(1);
    // Scrolling down across a page boundary: the next page follows the one loaded.
    await pager.ensure(190, 230);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenLastCalledWith({ name: 'Fan 199', id: 'id-199' }, 200);
    expect(pager.row(200)?.name).toBe('Fan 200');
    // A jump (the scrollbar dropped at row 90,000): one offset read there, then keyset both ways.
    await pager.ensure(90_000, 90_030);
    expect(fetch).toHaveBeenLastCalledWith(90_000, 200);
    await pager.ensure(89_990, 90_010);
    expect(before).toHaveBeenLastCalledWith({ name: 'Fan 90000', id: 'id-90000' }, 200);
    expect(pager.row(89_800)?.name).toBe('Fan 89800');
    expect(pager.row(89_999)?.name).toBe('Fan 89999');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('chains a page onto a neighbour still loading instead of reading it by offset', async () => {
    const { fetch, after, pager } = make();
    await pager.ensure(0, 600);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(2);
    expect([pager.row(0)?.name, pager.row(399)?.name, pager.row(599)?.name]).toEqual(['Fan 0', 'Fan 399', 'Fan 599']);
  });
});

describe('filters and mappings', () => {
  it('sends blanks as null and country codes upper case', () => {
    const f = cleanFilter({ ...emptyFilter(), query: '  ', country: 'cn ', tags: [' vip ', ''] });
    expect(f).toMatchObject({ query: null, country: 'CN', tags: ['vip'] });
  });

  it('flags a field claimed by two columns and needs something that identifies a fan', () => {
    expect(mappingConflicts(['email', 'name', 'email'])).toEqual(['email']);
    expect(mappingUsable(['email', 'name', 'email'])).toBe(false);
    expect(mappingUsable(['city', null])).toBe(false);
    expect(mappingUsable(['name', 'city'])).toBe(true);
    expect(mappingFields(['姓名', '邮箱', 'x'], ['name', 'email', null])).toEqual({ name: '姓名', email: '邮箱' });
  });
});

describe('the activity, spend and column helpers', () => {
  it('keeps a spend currency only with an amount, upper-cased', () => {
    expect(cleanFilter({ ...emptyFilter(), spend_currency: 'usd' })).toMatchObject({ spend_currency: null, spend_above: null });
    expect(cleanFilter({ ...emptyFilter(), spend_above: ' 20 ', spend_currency: 'usd' })).toMatchObject({ spend_above: '20', spend_currency: 'USD' });
    expect(cleanFilter({ ...emptyFilter(), spend_below: '5', spend_currency: ' ' })).toMatchObject({ spend_below: '5', spend_currency: null });
  });

  it('turns a date input into the start of that local day and back', () => {
    const iso = dateInputTime('2026-03-01');
    expect(iso).not.toBeNull();
    expect(dateInputValue(iso)).toBe('2026-03-01');
    expect(dateInputTime('')).toBeNull();
    expect(dateInputTime('2026-3-1')).toBeNull();
    expect(dateInputValue(null)).toBe('');
  });

  it('hides more columns as the table narrows', () => {
    expect(narrowLevel(1100)).toBe(0);
    expect(narrowLevel(700)).toBe(1);
    expect(narrowLevel(500)).toBe(2);
    expect(narrowLevel(360)).toBe(3);
    expect(narrowLevel(0)).toBe(0);
  });
});

describe('segment descriptions', () => {
  it('says what each filter of a segment keeps, in English and Chinese', async () => {
    const { describeFilter } = await import('./fans');
    const { setLanguage } = await import('./i18n');
    const filter = { ...emptyFilter(), tags: ['vip', 'merch'], country: 'cn', consent: 'opted_in' as const, spend_above: '30', spend_currency: 'usd', purchased_release: 'r1' };
    setLanguage('en');
    expect(describeFilter(filter, (id) => (id === 'r1' ? 'Night Drive' : null))).toBe('tagged vip, merch · in CN · Opted in · spent over 30 USD · bought “Night Drive”');
    expect(describeFilter(emptyFilter())).toBe('Every fan');
    expect(describeFilter({ ...emptyFilter(), query: '杰伦', city: 'Shanghai', source: 'bandcamp' })).toBe('matching “杰伦” · city Shanghai · from bandcamp');
    expect(describeFilter({ ...emptyFilter(), purchased_release: 'gone' })).toBe('bought a release no longer in the catalog');
    setLanguage('zh-CN');
    expect(describeFilter(filter, () => '夜行')).toBe('标签为vip、merch · 国家/地区：CN · 已订阅 · 消费超过 30 USD · 购买过《夜行》');
    expect(describeFilter(emptyFilter())).toBe('全部粉丝');
    setLanguage('en');
  });
});
