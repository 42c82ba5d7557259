import { describe, expect, it } from 'vitest';
import type { ArtistInput, ReleaseInput, TrackInput } from './bindings';
import { HostError } from './host';
import { contactInputFrom, newReleaseInput, newTrackInput } from './inputs';
import { emptyFilter } from './fans';
import { createMockHost, normalizeUpc } from './mockHost';

const artistInput = (name: string, extra: Partial<ArtistInput> = {}): ArtistInput => ({
  name,
  sort_name: null,
  localized_names: [],
  country: null,
  links: [],
  ...extra,
});
const releaseInput = (title: string, artist_ids: string[], extra: Partial<ReleaseInput> = {}): ReleaseInput =>
  newReleaseInput({ title, type: 'album', artist_ids, ...extra });
const trackInput = (title: string, extra: Partial<TrackInput> = {}): TrackInput => newTrackInput(title, extra);

async function rejection(promise: Promise<unknown>): Promise<HostError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HostError);
    return error as HostError;
  }
  throw new Error('expected the command to fail');
}

async function label() {
  const host = createMockHost();
  const ws = await host.call('workspace_create', { input: { kind: 'label', name: 'Midnight' } });
  return { host, ws };
}

describe('mock host: workspaces', () => {
  it('starts with no workspace; creating one makes it current', async () => {
    const host = createMockHost();
    expect(await host.call('workspace_current', {})).toBeNull();
    const a = await host.call('workspace_create', { input: { kind: 'label', name: 'Zeta' } });
    expect((await host.call('workspace_current', {}))?.id).toBe(a.id);
    const b = await host.call('workspace_create', { input: { kind: 'artist', name: 'alpha' } });
    expect((await host.call('workspace_current', {}))?.id).toBe(b.id);
    expect((await host.call('workspace_list', {})).map((w) => w.name)).toEqual(['alpha', 'Zeta']);
    await host.call('workspace_use', { id: a.id });
    expect((await host.call('workspace_current', {}))?.id).toBe(a.id);
  });

  it('requires a name', async () => {
    const host = createMockHost();
    const err = await rejection(host.call('workspace_create', { input: { kind: 'label', name: '  ' } }));
    expect(err.code).toBe('invalid_input');
    expect(err.payload.issues).toEqual([expect.objectContaining({ field: 'name', reason: 'required' })]);
  });

  it('reports a store that failed to open, and the dialogs switch to a fresh store', async () => {
    const host = createMockHost({ storeError: { code: 'store_too_new', message: 'newer', params: {}, issues: [] }, dialogPath: () => '/tmp/other.sqlite' });
    expect((await host.call('app_info', {})).store_error?.code).toBe('store_too_new');
    expect((await rejection(host.call('workspace_list', {}))).code).toBe('store_unavailable');
    const info = await host.call('store_open_dialog', {});
    expect(info).toMatchObject({ store_path: '/tmp/other.sqlite', store_error: null });
    expect(await host.call('workspace_list', {})).toEqual([]);
  });

  it('keeps preferences', async () => {
    const host = createMockHost();
    expect(await host.call('preferences_get', {})).toEqual({ language: null, theme: null });
    await host.call('preferences_set', { preferences: { language: 'zh-CN', theme: 'dark' } });
    expect(await host.call('preferences_get', {})).toEqual({ language: 'zh-CN', theme: 'dark' });
  });
});

describe('mock host: artists', () => {
  it('validates name, country, language tags and links, all at once', async () => {
    const { host, ws } = await label();
    const err = await rejection(
      host.call('artist_create', {
        workspace_id: ws.id,
        input: artistInput('', { country: 'CHN', localized_names: [{ language: 'zh hans', name: '周杰伦' }], links: ['ok', 'https://fine.example'] }),
      }),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.payload.issues.map((i) => [i.field, i.reason])).toEqual([
      ['name', 'required'],
      ['country', 'invalid_country'],
      ['localized_names[0]', 'invalid_language'],
      ['links[0]', 'invalid_url'],
    ]);
  });

  it('normalises and sorts by sort name', async () => {
    const { host, ws } = await label();
    const jay = await host.call('artist_create', { workspace_id: ws.id, input: artistInput(' Jay Chou ', { sort_name: 'Chou, Jay', country: 'tw' }) });
    expect(jay).toMatchObject({ name: 'Jay Chou', sort_name: 'Chou, Jay', country: 'TW' });
    await host.call('artist_create', { workspace_id: ws.id, input: artistInput('Adele') });
    expect((await host.call('artist_list', { workspace_id: ws.id })).map((a) => a.sort_name)).toEqual(['Adele', 'Chou, Jay']);
  });

  it('an artist workspace holds one artist', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Me' } });
    await host.call('artist_create', { workspace_id: ws.id, input: artistInput('Me') });
    expect((await rejection(host.call('artist_create', { workspace_id: ws.id, input: artistInput('Other') }))).code).toBe('artist_workspace_full');
  });

  it('refuses to delete an artist credited on releases', async () => {
    const { host, ws } = await label();
    const a = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('Jay') });
    await host.call('release_create', { workspace_id: ws.id, input: releaseInput('One', [a.id]) });
    await host.call('release_create', { workspace_id: ws.id, input: releaseInput('Two', [a.id]) });
    const err = await rejection(host.call('artist_delete', { id: a.id }));
    expect(err.code).toBe('artist_in_use');
    expect(err.payload.params).toEqual({ name: 'Jay', releases: '2' });
    const free = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('Free') });
    await host.call('artist_delete', { id: free.id });
    expect((await host.call('artist_list', { workspace_id: ws.id })).map((x) => x.name)).toEqual(['Jay']);
  });
});

describe('mock host: releases and tracks', () => {
  it('requires a title and an artist, and checks the UPC', async () => {
    const { host, ws } = await label();
    const err = await rejection(host.call('release_create', { workspace_id: ws.id, input: releaseInput(' ', [], { upc: '123' }) }));
    expect(err.payload.issues.map((i) => i.field)).toEqual(['title', 'artist_ids', 'upc']);
    expect(normalizeUpc('036000291452')).toBe('036000291452');
    expect(normalizeUpc('036000291453')).toBeNull();
  });

  it('refuses artists from another workspace', async () => {
    const { host, ws } = await label();
    const other = await host.call('workspace_create', { input: { kind: 'label', name: 'Other' } });
    const stranger = await host.call('artist_create', { workspace_id: other.id, input: artistInput('Stranger') });
    expect((await rejection(host.call('release_create', { workspace_id: ws.id, input: releaseInput('X', [stranger.id]) }))).code).toBe('artist_not_in_workspace');
  });

  it('lists undated releases first, then newest first, and filters by artist', async () => {
    const { host, ws } = await label();
    const a = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('A') });
    const b = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('B') });
    await host.call('release_create', { workspace_id: ws.id, input: releaseInput('Old', [a.id], { release_date: '2020-01-01' }) });
    await host.call('release_create', { workspace_id: ws.id, input: releaseInput('New', [b.id], { release_date: '2026-05-01' }) });
    await host.call('release_create', { workspace_id: ws.id, input: releaseInput('Someday', [a.id, b.id]) });
    const all = await host.call('release_list', { workspace_id: ws.id, filter: { artist_id: null } });
    expect(all.map((r) => r.title)).toEqual(['Someday', 'New', 'Old']);
    expect(all[0].status).toBe('draft');
    const onlyA = await host.call('release_list', { workspace_id: ws.id, filter: { artist_id: a.id } });
    expect(onlyA.map((r) => r.title)).toEqual(['Someday', 'Old']);
  });

  it('numbers tracks per disc, refuses taken positions, and counts them', async () => {
    const { host, ws } = await label();
    const a = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('A') });
    const r = await host.call('release_create', { workspace_id: ws.id, input: releaseInput('LP', [a.id]) });
    const t1 = await host.call('track_add', { release_id: r.id, input: trackInput('One') });
    const t2 = await host.call('track_add', { release_id: r.id, input: trackInput('Two', { duration_ms: 200_000 }) });
    const d2 = await host.call('track_add', { release_id: r.id, input: trackInput('B-side', { disc_number: 2 }) });
    expect([t1.position, t2.position, d2.position, d2.disc_number]).toEqual([1, 2, 1, 2]);
    const err = await rejection(host.call('track_add', { release_id: r.id, input: trackInput('Clash', { position: 2 }) }));
    expect(err.code).toBe('position_taken');
    expect(err.payload.params).toEqual({ disc: '1', position: '2' });
    const moved = await host.call('track_update', { id: t1.id, input: trackInput('One', { position: 5 }) });
    expect(moved.position).toBe(5);
    const detail = await host.call('release_get', { id: r.id });
    expect(detail.tracks.map((t) => t.title)).toEqual(['Two', 'One', 'B-side']);
    expect((await host.call('release_list', { workspace_id: ws.id, filter: { artist_id: null } }))[0].track_count).toBe(3);
    await host.call('track_delete', { id: t2.id });
    expect((await host.call('release_get', { id: r.id })).track_count).toBe(2);
  });

  it('validates tracks', async () => {
    const { host, ws } = await label();
    const a = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('A') });
    const r = await host.call('release_create', { workspace_id: ws.id, input: releaseInput('LP', [a.id]) });
    const err = await rejection(host.call('track_add', { release_id: r.id, input: trackInput('', { disc_number: 0, duration_ms: 0, isrc: 'nope' }) }));
    expect(err.payload.issues.map((i) => [i.field, i.reason])).toEqual([
      ['title', 'required'],
      ['disc_number', 'out_of_range'],
      ['duration_ms', 'out_of_range'],
      ['isrc', 'invalid_isrc'],
    ]);
    const ok = await host.call('track_add', { release_id: r.id, input: trackInput('Fine', { isrc: 'cn-a01-26-00001' }) });
    expect(ok.isrc).toBe('CNA012600001');
  });

  it('deleting a release removes its tracks; unknown ids are not_found', async () => {
    const { host, ws } = await label();
    const a = await host.call('artist_create', { workspace_id: ws.id, input: artistInput('A') });
    const r = await host.call('release_create', { workspace_id: ws.id, input: releaseInput('LP', [a.id]) });
    const t = await host.call('track_add', { release_id: r.id, input: trackInput('One') });
    await host.call('release_delete', { id: r.id });
    expect((await rejection(host.call('release_get', { id: r.id }))).code).toBe('not_found');
    expect((await rejection(host.call('track_delete', { id: t.id }))).code).toBe('not_found');
  });
});

describe('the mock host: fans', () => {
  const csv = (text: string) => Array.from(new TextEncoder().encode(text));

  it('imports like the engine: merges by e-mail, reports invalid lines, and ignores a file seen before', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin' } });
    const text = '姓名,邮箱,城市,标签\n周杰伦,Jay@Example.com,台北,vip\n坏行,nope,北京,\n';
    const p = await host.call('fans_import_upload', { workspace_id: ws.id, file_name: 'a.csv', bytes: csv(text) });
    expect(p.suggestion).toMatchObject({ columns: ['name', 'email', 'city', 'tags'], unambiguous: true });
    const seen: number[] = [];
    const progress = host.progressChannel((m) => seen.push(m.done));
    const r = await host.call('fans_import', { workspace_id: ws.id, path: p.path, options: { format: 'mapped', mapping: null, encoding: null, strict: false }, job_id: 'j', progress });
    expect(r).toMatchObject({ rows: 2, created: 1, merged: 0, invalid: [{ line: 3 }] });
    expect(seen).toEqual([2]);
    const again = await host.call('fans_import', { workspace_id: ws.id, path: p.path, options: { format: 'mapped', mapping: null, encoding: null, strict: false }, job_id: 'j', progress });
    expect(again.duplicate_file).toBe(true);
    const other = await host.call('fans_import_upload', { workspace_id: ws.id, file_name: 'b.csv', bytes: csv('Email,City,Tags\njay@example.com,Taipei,fan club\n') });
    const merged = await host.call('fans_import', { workspace_id: ws.id, path: other.path, options: { format: 'mapped', mapping: null, encoding: null, strict: false }, job_id: 'k', progress });
    expect(merged).toMatchObject({ created: 0, merged: 1, kept_existing: 1 });
    expect(host.data.contacts[0]).toMatchObject({ city: '台北', tags: ['fan club', 'vip'] });
    expect(await host.call('fans_search', { workspace_id: ws.id, query: '杰伦', limit: 5 })).toHaveLength(1);
  });

  it('refuses an ambiguous sheet without a mapping, and a strict import with a bad row keeps nothing', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin' } });
    const p = await host.call('fans_import_upload', { workspace_id: ws.id, file_name: 'x.csv', bytes: csv('Email,Mail\na@b.co,c@d.co\n') });
    const run = (strict: boolean, path = p.path) => host.call('fans_import', { workspace_id: ws.id, path, options: { format: 'mapped', mapping: null, encoding: null, strict }, job_id: 'j', progress: host.progressChannel(() => {}) });
    await expect(run(false)).rejects.toMatchObject({ code: 'mapping_needed' });
    const bad = await host.call('fans_import_upload', { workspace_id: ws.id, file_name: 'y.csv', bytes: csv('Email\na@b.co\nnope\n') });
    await expect(run(true, bad.path)).rejects.toMatchObject({ code: 'bad_line' });
    expect(host.data.contacts).toHaveLength(0);
    await expect(host.call('fans_segment_save', { workspace_id: ws.id, name: ' ', filter: emptyFilter() })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('edits a whole contact like the engine: field errors by field, the first e-mail primary, tags replaced', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin' } });
    const p = await host.call('fans_import_upload', { workspace_id: ws.id, file_name: 'a.csv', bytes: csv('Name,Email,City,Tags\nJay,jay@example.com,Taipei,vip\nAda,ada@example.com,London,\n') });
    await host.call('fans_import', { workspace_id: ws.id, path: p.path, options: { format: 'mapped', mapping: null, encoding: null, strict: false }, job_id: 'j', progress: host.progressChannel(() => {}) });
    const [ada, jay] = (await host.call('fans_list', { workspace_id: ws.id, filter: emptyFilter(), offset: 0, limit: 10 })).rows;
    const current = await host.call('fans_contact', { id: jay.id });
    const input = contactInputFrom(current, { city: 'Kaohsiung', country: 'Atlantis', emails: ['nope', 'jay@example.com'] });
    await expect(host.call('fans_update', { id: jay.id, input })).rejects.toMatchObject({
      code: 'invalid_input',
      payload: {
        issues: [
          { field: 'emails[0]', reason: 'invalid_email' },
          { field: 'country', reason: 'invalid_country' },
        ],
      },
    });
    await expect(host.call('fans_update', { id: jay.id, input: { ...input, country: 'TW', emails: ['ada@example.com'] } })).rejects.toMatchObject({ code: 'email_taken' });
    const saved = await host.call('fans_update', { id: jay.id, input: { ...input, country: 'tw', emails: ['jay2@example.com', 'jay@example.com'], tags: [] } });
    expect(saved).toMatchObject({ city: 'Kaohsiung', country: 'TW', email: 'jay2@example.com', tags: [] });
    expect(saved.emails.map((e) => e.is_primary)).toEqual([true, false]);
    expect(await host.call('fans_count', { workspace_id: ws.id, filter: { ...emptyFilter(), tags: ['vip'] } })).toBe(0);
    await expect(host.call('fans_update', { id: ada.id, input: { ...contactInputFrom(await host.call('fans_contact', { id: ada.id })), name: null, emails: [], phone: null } })).rejects.toMatchObject({
      payload: { issues: [{ field: 'emails', reason: 'required' }] },
    });
  });

  it('checks spend filters like the engine: a currency is needed and the amount must be one', async () => {
    const host = createMockHost();
    const ws = await host.call('workspace_create', { input: { kind: 'artist', name: 'Lin' } });
    await expect(host.call('fans_count', { workspace_id: ws.id, filter: { ...emptyFilter(), spend_above: '10' } })).rejects.toMatchObject({ payload: { issues: [{ field: 'spend_currency', reason: 'required' }] } });
    await expect(host.call('fans_count', { workspace_id: ws.id, filter: { ...emptyFilter(), spend_below: 'lots', spend_currency: 'USD' } })).rejects.toMatchObject({ payload: { issues: [{ field: 'spend_below', reason: 'invalid_amount' }] } });
    expect(await host.call('fans_count', { workspace_id: ws.id, filter: { ...emptyFilter(), spend_above: '$1,000', spend_currency: 'USD' } })).toBe(0);
    expect(await host.call('fans_link_sales', { workspace_id: ws.id })).toEqual({ sales: 0, linked: 0, contacts: 0, unknown_buyers: 0 });
  });
});

describe('mock royalties', () => {
  const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
  const options = { format: null, mapping: null, encoding: null, skip_invalid: false };
  const bytes = (text: string) => Array.from(new TextEncoder().encode(text));

  it('imports all or nothing, reports exact sums and refuses a second import of the same file', async () => {
    const host = createMockHost();
    await host.call('workspace_create', { input: { kind: 'artist', name: 'Me' } });
    const seen: number[] = [];
    const text = `${header}\n2026-01-02\t2026-01\tSpotify\tA\tX\t\t\t1\t100\tSong\tUS\t0\t0.1\n2026-01-02\t2026-01\tSpotify\tA\tX\t\t\t2\t100\tSong\tUS\t0\t0.2`;
    const [first] = await host.call('royalties_import_bytes', { job_id: 'j', name: 'a.tsv', bytes: bytes(text), options, on_progress: host.channel((e: { lines: number }) => seen.push(e.lines)) });
    expect(first.report).toMatchObject({ lines: 2, imported: 2, unmatched: 2, duplicate_file: false });
    expect(seen.at(-1)).toBe(2);
    const report = await host.call('royalties_report', { by: 'store', filter: { period: null, artist_id: null, currency: null } });
    expect(report.rows).toEqual([{ key: 'Spotify', currency: 'USD', units: 3, amount: '0.3' }]);
    const [again] = await host.call('royalties_import_bytes', { job_id: 'j', name: 'a.tsv', bytes: bytes(text), options, on_progress: host.channel(() => {}) });
    expect(again.report?.duplicate_file).toBe(true);
    expect(await host.call('royalties_unmatched_count', {})).toBe(2);

    const [bad] = await host.call('royalties_import_bytes', { job_id: 'j', name: 'b.tsv', bytes: bytes(`${header}\n2026-02-02\t\tSpotify\tA\tX\t\t\t1\t100\tSong\tUS\t0\tnope`), options, on_progress: host.channel(() => {}) });
    expect(bad.error).toMatchObject({ code: 'statement_line_invalid', params: { line: '2' } });
    expect(host.data.lines).toHaveLength(2);
  });

  it('validates assignments like the engine', async () => {
    const host = createMockHost();
    await host.call('workspace_create', { input: { kind: 'artist', name: 'Me' } });
    await expect(host.call('royalties_assign', { by: { kind: 'isrc', isrc: 'nope' }, target: { kind: 'release', id: 'x' } })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(host.call('royalties_assign', { by: { kind: 'isrc', isrc: 'CNA012600001' }, target: { kind: 'track', id: 'missing' } })).rejects.toMatchObject({ code: 'not_found' });
  });
});
