// An in-memory stand-in for the desktop shell: every command of `Commands`, with the engine's basic
// validations and error codes, so the UI runs in a plain browser and in component tests.
import type {
  AppInfo,
  ConsentStatus,
  Contact,
  ContactCursor,
  ContactFilter,
  ContactSummary,
  DuplicateGroup,
  FanField,
  FanFilePreview,
  FanImportOptions,
  FanImportReport,
  MappingSuggestion,
  Progress,
  ProgressChannel,
  TimelineEntry,
  Channel,
  ImportFileResult,
  ImportOptions,
  ImportProgressEvent,
  ImportReport,
  ReportRow,
  SavedMapping,
  ColumnMapping,
  LineIssue,
  StatementPreview,
  Artist,
  ArtistInput,
  ArtistRef,
  ErrorPayload,
  FieldIssue,
  Preferences,
  Release,
  ReleaseDetail,
  ReleaseInput,
  Track,
  TrackInput,
  Workspace,
  AssetReport,
  AudioAnalysis,
  ImageAnalysis,
  Imported,
  Problem,
  Readiness,
} from './bindings';
import { emptyFilter as emptyFanFilter } from './fans';
import { newReleaseInput, newTrackInput } from './inputs';
import { compareAmounts, sumAmounts } from './money';
import { createMockPlatform } from './mockPlatform';
import { createMockTeam } from './mockTeam';
import { createMockSync } from './mockSync';
import { createMockLedger } from './mockLedger';
import { HostError, type FileDropEvent, type Args, type CommandName, type Host, type Result } from './host';

type StoredRelease = Omit<Release, 'artists' | 'featuring' | 'remixers' | 'track_count'> & { artist_ids: string[]; featuring_ids: string[]; remixer_ids: string[] };
type StoredTrack = Omit<Track, 'artists' | 'featuring' | 'remixers'> & { artist_ids: string[]; featuring_ids: string[]; remixer_ids: string[] };

/** A statement line as the mock keeps it (the engine's normalised line, reduced). */
export interface MockLine {
  period: string;
  store: string;
  territory: string | null;
  isrc: string | null;
  title: string | null;
  artist: string | null;
  units: number;
  amount: string;
  currency: string;
  track_id: string | null;
  release_id: string | null;
}

interface Data {
  statements: { hash: string; report: ImportReport }[];
  lines: MockLine[];
  rules: { kind: 'isrc' | 'title_artist'; key: string; track_id: string | null; release_id: string | null }[];
  mappings: SavedMapping[];
  workspaces: Workspace[];
  currentId: string | null;
  artists: Artist[];
  releases: StoredRelease[];
  tracks: StoredTrack[];
  preferences: Preferences;
  contacts: StoredContact[];
  segments: { id: string; workspace_id: string; name: string; filter: ContactFilter }[];
  fanMappings: { workspace_id: string; name: string; key: string; fields: Partial<Record<FanField, string>> }[];
  /** Files the mock can read, by path (uploads land here). */
  files: Record<string, string>;
  /** Files imported before (workspace + content). */
  imported: string[];
}

export interface MockOptions {
  /** Where the mock store says it lives. */
  storePath?: string;
  /** Pretend the store failed to open with this error. */
  storeError?: ErrorPayload | null;
  /** What the native store dialogs return: a path to switch to, or null for "cancelled". */
  dialogPath?: (kind: 'open' | 'new') => string | null;
  /** A fixed clock for deterministic tests. */
  now?: () => Date;
  /** What the statement dialog returns (paths), and the files behind those paths (their text). */
  statementDialog?: () => string[];
  files?: Record<string, string>;
  /** What the media dialog returns (paths the mock "analyses" from their names). */
  mediaDialog?: () => string[];
  /** Paths of media files that exist for the mock. */
  mediaFiles?: string[];
  /** What the ERN import dialog returns (a path among `files`), and the save dialog. */
  ernDialog?: () => string | null;
  saveDialog?: (name: string) => string | null;
  /** Open sync conflicts the mock starts with. */
  conflicts?: import('./bindings').Conflict[];
  /** Sync errors the mock's status reports. */
  syncErrors?: import('./bindings').SyncError[];
  /** Statement files waiting to be sent / fetched until the next "Sync now". */
  statementFiles?: { toUpload: number; toDownload: number };
}

export interface MockHost extends Host {
  /** The raw data, for assertions in tests. */
  readonly data: Data;
  /** Every command called, in order. */
  readonly calls: { cmd: CommandName; args: unknown }[];
  /** Simulates files dropped on the window. */
  drop(paths: string[]): void;
}

const VERSION = '0.1.0';

function emptyData(): Data {
  return { workspaces: [], currentId: null, artists: [], releases: [], tracks: [], preferences: { language: null, theme: null }, contacts: [], segments: [], fanMappings: [], files: {}, imported: [], statements: [], lines: [], rules: [], mappings: [] };
}

function ipc<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function newId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function fail(code: string, message: string, params: Record<string, string> = {}, issues: FieldIssue[] = []): never {
  throw new HostError({ code, message, params, issues });
}

class Checker {
  issues: FieldIssue[] = [];

  issue(field: string, reason: string, detail: string): void {
    this.issues.push({ field, reason, detail });
  }

  required(field: string, value: string, max: number): string {
    const v = value.trim();
    if (!v) this.issue(field, 'required', `${field} is required`);
    else this.length(field, v, max);
    return v;
  }

  optional(field: string, value: string | null, max: number): string | null {
    const v = (value ?? '').trim();
    if (!v) return null;
    this.length(field, v, max);
    return v;
  }

  identifier(field: string, reason: string, value: string | null, normalize: (v: string) => string | null): string | null {
    const v = (value ?? '').trim();
    if (!v) return null;
    const normalized = normalize(v);
    if (normalized === null) this.issue(field, reason, `'${v}' is not valid`);
    return normalized;
  }

  private length(field: string, value: string, max: number): void {
    const len = [...value].length;
    if (len > max) this.issue(field, 'too_long', `${field} is ${len} characters; at most ${max}`);
  }

  finish(entity: string): void {
    if (this.issues.length) {
      fail(
        'invalid_input',
        `invalid ${entity}: ${this.issues.map((i) => `${i.field}: ${i.detail}`).join('; ')}`,
        { entity },
        this.issues,
      );
    }
  }
}

export function normalizeCountry(v: string): string | null {
  const code = v.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

export function normalizeIsrc(v: string): string | null {
  const code = v.trim().replaceAll('-', '').toUpperCase();
  return /^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$/.test(code) ? code : null;
}

export function normalizeUpc(v: string): string | null {
  const code = v.trim().replace(/[\s-]/g, '');
  if (!/^\d{12,13}$/.test(code)) return null;
  const digits = [...code].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((acc, d, i) => acc + (i % 2 === 0 ? d * 3 : d), 0);
  return (10 - (sum % 10)) % 10 === check ? code : null;
}

// ---- Fans (in the mock: a plain array, substring search, the engine's merge-by-e-mail rule) ----

export interface StoredContact extends Contact {
  timeline: TimelineEntry[];
}

const FIELD_SYNONYMS: Record<FanField, string[]> = {
  name: ['name', 'fullname', 'contactname', 'displayname', '姓名', '名字', '全名', '称呼', '昵称'],
  first_name: ['firstname', 'givenname', 'fname', '名'],
  last_name: ['lastname', 'surname', 'familyname', 'lname', '姓'],
  email: ['email', 'emailaddress', 'mail', 'e-mail', '邮箱', '电子邮件', '电子邮箱', '邮件', '邮箱地址'],
  phone: ['phone', 'phonenumber', 'mobile', 'tel', 'telephone', '电话', '手机', '手机号', '手机号码', '联系电话'],
  city: ['city', 'town', '城市', '所在城市', '市'],
  region: ['region', 'state', 'province', '省份', '省', '地区'],
  country: ['country', 'countrycode', 'cc', '国家', '国家/地区'],
  language: ['language', 'lang', '语言'],
  notes: ['notes', 'note', 'comments', '备注', '留言'],
  tags: ['tags', 'tag', 'labels', '标签'],
  joined: ['dateadded', 'joined', 'signupdate', 'created', '注册时间', '加入时间'],
};

export function normalizeHeader(h: string): string {
  return h.trim().replace(/^\uFEFF/, '').toLowerCase().replace(/[\s_-]/g, '');
}

export function suggestMapping(headers: string[]): MappingSuggestion {
  const columns = headers.map((h) => {
    const n = normalizeHeader(h);
    return (Object.keys(FIELD_SYNONYMS) as FanField[]).find((f) => FIELD_SYNONYMS[f].includes(n)) ?? null;
  });
  const conflicts: FanField[] = [];
  columns.forEach((c, i) => {
    if (c && columns.slice(0, i).includes(c) && !conflicts.includes(c)) conflicts.push(c);
  });
  const identifies = columns.some((c) => c === 'email' || c === 'name' || c === 'phone' || c === 'first_name');
  return { columns, conflicts, unambiguous: conflicts.length === 0 && identifies };
}

/** A small CSV/TSV reader (quotes, doubled quotes), enough for the mock. */
export function parseDelimited(text: string): string[][] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function normalizeEmail(input: string): string | null {
  const email = input.trim().replace(/^<|>$/g, '').toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (/\s|@/.test(local) || !domain.includes('.') || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) return null;
  return email;
}

const LANGUAGE_TAG = /^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$/;

export function createMockHost(options: MockOptions = {}): MockHost {
  let data = emptyData();
  let storePath = options.storePath ?? '/home/you/.local/share/roadie/roadie.sqlite';
  let storeError = options.storeError ?? null;
  const now = () => (options.now ? options.now() : new Date()).toISOString();
  const calls: { cmd: CommandName; args: unknown }[] = [];
  const options_ = options;
  let currentChannel: Channel<ImportProgressEvent> | null = null;
  const dropHandlers = new Set<(event: FileDropEvent) => void>();

  const store = () => {
    if (storeError) fail('store_unavailable', `cannot open the store ${storePath}`, { path: storePath, reason: storeError.message });
    return data;
  };

  const info = (): AppInfo => ({ version: VERSION, store_path: storePath, store_error: storeError });

  const workspace = (id: string) => store().workspaces.find((w) => w.id === id) ?? fail('not_found', `workspace ${id} not found`, { entity: 'workspace', id });
  const artist = (id: string) => store().artists.find((a) => a.id === id) ?? fail('not_found', `artist ${id} not found`, { entity: 'artist', id });
  const release = (id: string) => store().releases.find((r) => r.id === id) ?? fail('not_found', `release ${id} not found`, { entity: 'release', id });
  const track = (id: string) => store().tracks.find((t) => t.id === id) ?? fail('not_found', `track ${id} not found`, { entity: 'track', id });

  const refs = (ids: string[]): ArtistRef[] =>
    ids.map((id) => data.artists.find((a) => a.id === id)).filter((a): a is Artist => !!a).map((a) => ({ id: a.id, name: a.name }));

  const toTrack = (t: StoredTrack): Track => {
    const { artist_ids, featuring_ids, remixer_ids, ...rest } = t;
    return { ...rest, artists: refs(artist_ids), featuring: refs(featuring_ids), remixers: refs(remixer_ids) };
  };
  const tracksOf = (releaseId: string) =>
    data.tracks.filter((t) => t.release_id === releaseId).sort((a, b) => a.disc_number - b.disc_number || a.position - b.position);
  const toRelease = (r: StoredRelease): Release => {
    const { artist_ids, featuring_ids, remixer_ids, ...rest } = r;
    return { ...rest, artists: refs(artist_ids), featuring: refs(featuring_ids), remixers: refs(remixer_ids), track_count: tracksOf(r.id).length };
  };
  const toDetail = (r: StoredRelease): ReleaseDetail => ({ ...toRelease(r), tracks: tracksOf(r.id).map(toTrack) });

  const checkRoster = (workspaceId: string, ids: string[]) => {
    for (const id of ids) {
      const a = data.artists.find((x) => x.id === id);
      if (!a || a.workspace_id !== workspaceId) fail('artist_not_in_workspace', `artist ${id} is not on this workspace's roster`, { id });
    }
  };

  const validateArtist = (input: ArtistInput) => {
    const check = new Checker();
    const name = check.required('name', input.name, 200);
    const sort_name = check.optional('sort_name', input.sort_name, 200) ?? name;
    const country = check.identifier('country', 'invalid_country', input.country, normalizeCountry);
    const localized_names = [];
    for (const [i, alt] of input.localized_names.entries()) {
      const language = alt.language.trim();
      const altName = alt.name.trim();
      if (!altName) continue;
      if (!LANGUAGE_TAG.test(language) || language.length > 35) {
        check.issue(`localized_names[${i}]`, 'invalid_language', `'${language}' is not a language tag like zh-Hans or en`);
      }
      if ([...altName].length > 200) check.issue(`localized_names[${i}]`, 'too_long', 'a name has at most 200 characters');
      localized_names.push({ language, name: altName });
    }
    const links = input.links.map((l) => l.trim()).filter(Boolean);
    links.forEach((link, i) => {
      if (!/^https?:\/\//.test(link) || link.length < 11 || /\s/.test(link)) {
        check.issue(`links[${i}]`, 'invalid_url', `'${link}' is not a web address (https://...)`);
      }
    });
    check.finish('artist');
    return { name, sort_name, country, localized_names, links };
  };

  const validateRelease = (input: ReleaseInput) => {
    const check = new Checker();
    const title = check.required('title', input.title, 500);
    const artist_ids = [...new Set(input.artist_ids)];
    if (artist_ids.length === 0) check.issue('artist_ids', 'required', 'a release needs at least one primary artist');
    const label_name = check.optional('label_name', input.label_name, 200);
    const catalog_number = check.optional('catalog_number', input.catalog_number, 50);
    const upc = check.identifier('upc', 'invalid_upc', input.upc, normalizeUpc);
    const release_date = input.release_date && input.release_date.trim() ? input.release_date.trim() : null;
    if (release_date && !/^\d{4}-\d{2}-\d{2}$/.test(release_date)) check.issue('release_date', 'invalid_date', 'use YYYY-MM-DD');
    check.finish('release');
    // Fields the mock does not check are stored as given, like the engine's pass-through ones.
    return { ...input, title, artist_ids, label_name, catalog_number, upc, release_date, status: input.status ?? 'draft', artwork: null };
  };

  const validateTrack = (input: TrackInput) => {
    const check = new Checker();
    const title = check.required('title', input.title, 500);
    const version = check.optional('version', input.version, 200);
    const disc_number = input.disc_number ?? 1;
    if (!Number.isInteger(disc_number) || disc_number < 1 || disc_number > 99) check.issue('disc_number', 'out_of_range', 'disc number must be between 1 and 99');
    if (input.position !== null && (!Number.isInteger(input.position) || input.position < 1 || input.position > 999)) {
      check.issue('position', 'out_of_range', 'position must be between 1 and 999');
    }
    if (input.duration_ms !== null && (!Number.isInteger(input.duration_ms) || input.duration_ms <= 0 || input.duration_ms > 86_400_000)) {
      check.issue('duration_ms', 'out_of_range', 'duration must be more than 0 and at most 24 hours');
    }
    const isrc = check.identifier('isrc', 'invalid_isrc', input.isrc, normalizeIsrc);
    check.finish('track');
    const { position: _position, ...rest } = input;
    return { ...rest, title, version, disc_number, isrc, duration_ms: input.duration_ms, artist_ids: [...new Set(input.artist_ids)] };
  };

  const positionFree = (releaseId: string, disc: number, position: number, except: string | null) => {
    if (data.tracks.some((t) => t.release_id === releaseId && t.disc_number === disc && t.position === position && t.id !== except)) {
      fail('position_taken', `disc ${disc} already has a track at position ${position}`, { disc: String(disc), position: String(position) });
    }
  };

  const touch = (releaseId: string) => {
    const r = data.releases.find((x) => x.id === releaseId);
    if (r) r.updated_at = now();
  };

  const byText = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());

  const contact = (id: string) => store().contacts.find((c) => c.id === id) ?? fail('not_found', `contact ${id} not found`, { entity: 'contact', id });

  const summary = (c: StoredContact): ContactSummary => ({
    id: c.id,
    name: c.name,
    email: c.email,
    city: c.city,
    country: c.country,
    tags: [...c.tags],
    consent: c.consent,
    last_activity: c.last_activity,
  });

  const fanMatches = (c: StoredContact, f: ContactFilter) => {
    const q = (f.query ?? '').trim().toLowerCase();
    if (q) {
      const hay = [c.name, c.city, c.notes, ...c.emails.map((e) => e.email), ...c.tags].filter(Boolean).join(' ').toLowerCase();
      if (!q.split(/\s+/).every((word) => hay.includes(word))) return false;
    }
    if (f.tags.some((t) => !c.tags.includes(t))) return false;
    if (f.country && c.country !== f.country.toUpperCase()) return false;
    if (f.city && (c.city ?? '').toLowerCase() !== f.city.toLowerCase()) return false;
    if (f.source && !c.sources.includes(f.source)) return false;
    if (f.consent && c.consent !== f.consent) return false;
    if (f.last_activity_before && !(c.last_activity && Date.parse(c.last_activity) < Date.parse(f.last_activity_before))) return false;
    if (f.last_activity_after && !(c.last_activity && Date.parse(c.last_activity) >= Date.parse(f.last_activity_after))) return false;
    const purchases = c.timeline.filter((e): e is Extract<TimelineEntry, { type: 'activity' }> => e.type === 'activity' && e.kind === 'purchase');
    if (f.purchased_release && !purchases.some((p) => p.release_id === f.purchased_release)) return false;
    const currency = (f.spend_currency ?? '').trim().toUpperCase();
    const spent = purchases.filter((p) => p.amount?.currency === currency).reduce((sum, p) => sum + Number(p.amount!.amount), 0);
    const amount = (v: string | null) => Number((v ?? '').replace(/[^\d.-]/g, ''));
    if ((f.spend_above ?? '').trim() && !(spent > amount(f.spend_above))) return false;
    if ((f.spend_below ?? '').trim() && !(spent < amount(f.spend_below))) return false;
    return true;
  };

  /** The engine's checks of a filter's spend amounts. */
  const checkFanFilter = (f: ContactFilter) => {
    const check = new Checker();
    for (const field of ['spend_above', 'spend_below'] as const) {
      const value = (f[field] ?? '').trim();
      if (!value) continue;
      if (!(f.spend_currency ?? '').trim()) check.issue('spend_currency', 'required', 'a spend filter needs its currency');
      // As the engine reads amounts: currency signs and thousands separators are ignored.
      else if (!/^-?\d*\.?\d+$/.test(value.replace(/[^\d.-]/g, ''))) check.issue(field, 'invalid_amount', `'${value}' is not an amount`);
    }
    check.finish('filter');
  };

  const fansOf = (workspaceId: string, filter: ContactFilter) => {
    workspace(workspaceId);
    checkFanFilter(filter);
    return data.contacts
      .filter((c) => c.workspace_id === workspaceId && fanMatches(c, filter))
      .sort((a, b) => byText(a.name ?? a.email ?? '', b.name ?? b.email ?? '') || a.id.localeCompare(b.id));
  };

  /** Where a keyset page starts in a sorted list: just past the cursor's row (`after`) or at it. */
  const keysetIndex = (all: StoredContact[], cursor: ContactCursor, after = true) => {
    const at = all.findIndex((c) => c.id === cursor.id);
    if (at >= 0) return after ? at + 1 : at;
    // The row is gone: the first one that sorts after where it was.
    const past = all.findIndex((c) => (byText(c.name ?? c.email ?? '', cursor.name ?? '') || c.id.localeCompare(cursor.id)) > 0);
    return past < 0 ? all.length : past;
  };

  const deriveConsent = (c: StoredContact): ConsentStatus => {
    const events = c.timeline.filter((e): e is Extract<TimelineEntry, { type: 'consent' }> => e.type === 'consent').sort((a, b) => (a.at < b.at ? -1 : 1));
    return events.length ? events[events.length - 1].status : 'unknown';
  };

  const savedMapping = (workspaceId: string, headers: string[], name: string | null) => {
    const key = headers.map(normalizeHeader).join('\u001f');
    const found = name ? data.fanMappings.find((m) => m.workspace_id === workspaceId && m.name === name) : [...data.fanMappings].reverse().find((m) => m.workspace_id === workspaceId && m.key === key);
    if (name && !found) fail('not_found', `mapping ${name} not found`, { entity: 'mapping', id: name });
    return found ?? null;
  };

  const preview = (workspaceId: string, path: string): FanFilePreview => {
    workspace(workspaceId);
    const text = data.files[path];
    if (text === undefined) fail('file_unreadable', `${path} could not be read`, { path, reason: 'no such file' });
    const fileName = path.split('/').pop() ?? path;
    const already = data.imported.includes(`${workspaceId}:${text}`);
    if (/^BEGIN:VCARD/i.test(text.trim())) {
      return { path, file_name: fileName, format: 'vcard', encoding: 'UTF-8', headers: [], sample: [], suggestion: suggestMapping([]), saved_mapping: null, already_imported: already };
    }
    const [headers = [], ...rows] = parseDelimited(text.replace(/^\uFEFF/, ''));
    let suggestion = suggestMapping(headers);
    const saved = savedMapping(workspaceId, headers, null);
    if (saved) {
      const columns = headers.map((h) => (Object.entries(saved.fields).find(([, v]) => normalizeHeader(v ?? '') === normalizeHeader(h))?.[0] ?? null) as FanField | null);
      suggestion = { columns, conflicts: [], unambiguous: true };
    }
    return { path, file_name: fileName, format: 'mapped', encoding: 'UTF-8', headers, sample: rows.slice(0, 5), suggestion, saved_mapping: saved?.name ?? null, already_imported: already };
  };

  const importFans = (workspaceId: string, path: string, options: FanImportOptions, progress: ProgressChannel | undefined): FanImportReport => {
    const p = preview(workspaceId, path);
    const report: FanImportReport = { path, format: p.format, encoding: p.encoding, rows: 0, created: 0, merged: 0, kept_existing: 0, invalid: [], duplicate_file: false };
    const hash = `${workspaceId}:${data.files[path]}`;
    if (data.imported.includes(hash)) return { ...report, duplicate_file: true };
    if (p.format === 'vcard') fail('file_unreadable', 'the mock host reads CSV only', { path, reason: 'vCard is not supported by the mock' });
    const saved = savedMapping(workspaceId, p.headers, options.mapping);
    const columns = saved ? p.suggestion.columns : p.suggestion.unambiguous ? p.suggestion.columns : fail('mapping_needed', 'choose the columns', { path, reason: 'several columns could be the same field' });
    const at = (row: string[], f: FanField) => {
      const i = columns.indexOf(f);
      const v = i >= 0 ? (row[i] ?? '').trim() : '';
      return v || null;
    };
    const rows = parseDelimited(data.files[path].replace(/^\uFEFF/, '')).slice(1);
    const source = `csv:${p.file_name}`;
    const snapshot = ipc(data.contacts);
    rows.forEach((row, i) => {
      const line = i + 2;
      report.rows++;
      if (row.every((f) => !f.trim())) {
        report.invalid.push({ line, reason: 'empty row' });
        return;
      }
      const rawEmails = (at(row, 'email') ?? '').split(/[;,]/).map((e) => e.trim()).filter(Boolean);
      const emails: string[] = [];
      for (const raw of rawEmails) {
        const e = normalizeEmail(raw);
        if (!e) {
          report.invalid.push({ line, reason: `'${raw}' is not an e-mail address` });
          return;
        }
        emails.push(e);
      }
      const phone = at(row, 'phone');
      if (!emails.length && !phone) {
        report.invalid.push({ line, reason: 'no e-mail or phone' });
        return;
      }
      const name = at(row, 'name') ?? ([at(row, 'first_name'), at(row, 'last_name')].filter(Boolean).join(' ') || null);
      const country = at(row, 'country');
      const tags = (at(row, 'tags') ?? '').split(/[,;，、]/).map((t) => t.trim()).filter(Boolean);
      const fields = { name, phone, city: at(row, 'city'), region: at(row, 'region'), country: country ? normalizeCountry(country) ?? null : null, language: at(row, 'language'), notes: at(row, 'notes') };
      const existing = data.contacts.find((c) => c.workspace_id === workspaceId && c.emails.some((e) => emails.includes(e.email)));
      if (existing) {
        for (const [k, v] of Object.entries(fields) as [keyof typeof fields, string | null][]) {
          if (v && !existing[k]) existing[k] = v;
          else if (v && existing[k] !== v) report.kept_existing++;
        }
        for (const e of emails) if (!existing.emails.some((x) => x.email === e)) existing.emails.push({ email: e, is_primary: false, bounced: false });
        existing.tags = [...new Set([...existing.tags, ...tags])].sort();
        existing.sources = [...new Set([...existing.sources, source])].sort();
        report.merged++;
      } else {
        const stamp = now();
        data.contacts.push({
          id: newId(),
          workspace_id: workspaceId,
          ...fields,
          email: emails[0] ?? null,
          emails: emails.map((email, n) => ({ email, is_primary: n === 0, bounced: false })),
          tags: [...new Set(tags)].sort(),
          sources: [source],
          consent: 'unknown',
          first_seen: stamp,
          last_activity: null,
          lifetime_spend: [],
          created_at: stamp,
          updated_at: stamp,
          timeline: [],
        });
        report.created++;
      }
    });
    if (options.strict && report.invalid.length) {
      data.contacts = snapshot;
      const first = report.invalid[0];
      fail('bad_line', `${path}, line ${first.line}: ${first.reason}`, { path, line: String(first.line), reason: first.reason });
    }
    data.imported.push(hash);
    // The engine reports rows read with no total (`Option<u64>`, typed `number` by the bindings).
    progress?.onmessage({ done: report.rows, total: null as unknown as number });
    return report;
  };

  const prefixes: Record<string, string> = {};
  const dpids: Record<string, string> = {};
  /** Uploaded files, the test's media files, and the demo folder exist for the mock. */
  const mediaExists = (path: string) => data.files[path] !== undefined || !!options.mediaFiles?.includes(path) || path.startsWith(DEMO_FOLDER);
  const counters: Record<string, number> = {};

  function importErn(workspaceId: string, path: string): Imported {
    workspace(workspaceId);
    const text = data.files[path] ?? (options.files ?? {})[path];
    if (text === undefined || !text.includes('NewReleaseMessage')) {
      fail('invalid_ern', `${path}: not a NewReleaseMessage`, { file: path, line: '1', message: 'not a NewReleaseMessage' });
    }
    const title = /<TitleText>([^<]*)<\/TitleText>/.exec(text)?.[1] ?? 'Imported release';
    const at = now();
    let a = data.artists.find((x) => x.workspace_id === workspaceId && x.name === 'Imported Artist');
    if (!a) {
      a = { id: newId(), workspace_id: workspaceId, name: 'Imported Artist', sort_name: 'Imported Artist', localized_names: [], country: null, links: [], created_at: at, updated_at: at } as Artist;
      data.artists.push(a);
    }
    const r: StoredRelease = { id: newId(), workspace_id: workspaceId, ...validateRelease(newReleaseInput({ title, type: 'album', artist_ids: [a.id] })), created_at: at, updated_at: at };
    data.releases.push(r);
    return { ern_version: '4.3', releases: [toDetail(r)], warnings: [] };
  }

  const platform = createMockPlatform(now, () => options_.files ?? {});
  const team = createMockTeam(() => platform.account_get({} as never).account, now);
  const sync = createMockSync({
    now,
    account: () => platform.account_get({} as never),
    channel: () => currentChannel as unknown as Channel<unknown> | null,
    conflicts: options_.conflicts,
    errors: options_.syncErrors,
    statementFiles: options_.statementFiles,
    apply: (conflict, value) => {
      const row = (store() as unknown as Record<string, unknown>)[conflict.table];
      const item = Array.isArray(row) ? (row as Record<string, unknown>[]).find((r) => r.id === conflict.pk) : undefined;
      if (item && conflict.column in item) item[conflict.column] = value;
    },
  });
  const ledger = createMockLedger({
    now,
    newId,
    lines: () => store().lines,
    releaseOf: (trackId) => data.tracks.find((t) => t.id === trackId)?.release_id ?? null,
    releaseExists: (id) => data.releases.some((r) => r.id === id),
    trackExists: (id) => data.tracks.some((t) => t.id === id),
    primaryArtist: (releaseId) => {
      const r = data.releases.find((x) => x.id === releaseId);
      const a = r ? data.artists.find((x) => x.id === r.artist_ids[0]) : undefined;
      return a ? { id: a.id, name: a.name, workspace_id: a.workspace_id } : null;
    },
    artistExists: (id) => data.artists.some((a) => a.id === id),
    workspace: (id) => data.workspaces.find((w) => w.id === id) ?? null,
    saveDialog: options.saveDialog,
  });
  const handlers: { [K in CommandName]: (args: Args<K>) => Result<K> } = {
    ...platform,
    ...team,
    ...sync.handlers,
    ...ledger.handlers,
    app_info: () => info(),
    store_open_dialog: () => switchStore('open'),
    store_new_dialog: () => switchStore('new'),
    preferences_get: () => ({ ...store().preferences }),
    preferences_set: ({ preferences }) => {
      store().preferences = { language: preferences.language ?? null, theme: preferences.theme ?? null };
      return { ...data.preferences };
    },
    workspace_list: () => [...store().workspaces].sort((a, b) => byText(a.name, b.name) || a.id.localeCompare(b.id)),
    workspace_current: () => {
      const d = store();
      return d.workspaces.find((w) => w.id === d.currentId) ?? null;
    },
    workspace_create: ({ input }) => {
      const d = store();
      const check = new Checker();
      const name = check.required('name', input.name, 200);
      check.finish('workspace');
      const at = now();
      const ws: Workspace = { id: newId(), kind: input.kind, name, created_at: at, updated_at: at };
      d.workspaces.push(ws);
      d.currentId = ws.id;
      return { ...ws };
    },
    workspace_use: ({ id }) => {
      const ws = workspace(id);
      data.currentId = ws.id;
      return { ...ws };
    },
    workspace_rename: ({ id, name }) => {
      const ws = workspace(id);
      const check = new Checker();
      const valid = check.required('name', name, 200);
      check.finish('workspace');
      ws.name = valid;
      ws.updated_at = now();
      return { ...ws };
    },
    artist_list: ({ workspace_id }) =>
      store()
        .artists.filter((a) => a.workspace_id === workspace_id)
        .sort((a, b) => byText(a.sort_name, b.sort_name) || a.id.localeCompare(b.id))
        .map((a) => ipc(a)),
    artist_create: ({ workspace_id, input }) => {
      const ws = workspace(workspace_id);
      const valid = validateArtist(input);
      if (ws.kind === 'artist' && data.artists.some((a) => a.workspace_id === ws.id)) {
        fail('artist_workspace_full', 'an artist workspace holds one artist; create a label workspace to manage a roster');
      }
      const at = now();
      const a: Artist = { id: newId(), workspace_id, ...valid, created_at: at, updated_at: at };
      data.artists.push(a);
      return ipc(a);
    },
    artist_update: ({ id, input }) => {
      const a = artist(id);
      Object.assign(a, validateArtist(input), { updated_at: now() });
      return ipc(a);
    },
    artist_delete: ({ id }) => {
      const a = artist(id);
      const releases = data.releases.filter((r) => r.artist_ids.includes(id)).length;
      if (releases > 0) {
        fail('artist_in_use', `${a.name} is credited on ${releases} release(s); remove those credits first`, { name: a.name, releases: String(releases) });
      }
      data.artists = data.artists.filter((x) => x.id !== id);
      for (const t of data.tracks) t.artist_ids = t.artist_ids.filter((x) => x !== id);
      return null;
    },
    release_list: ({ workspace_id, filter }) => {
      workspace(workspace_id);
      return data.releases
        .filter((r) => r.workspace_id === workspace_id && (!filter.artist_id || r.artist_ids.includes(filter.artist_id)))
        .sort((a, b) => {
          if (!a.release_date !== !b.release_date) return a.release_date ? 1 : -1; // undated first
          if (a.release_date && b.release_date && a.release_date !== b.release_date) return a.release_date < b.release_date ? 1 : -1;
          return byText(a.title, b.title) || a.id.localeCompare(b.id);
        })
        .map(toRelease);
    },
    release_get: ({ id }) => toDetail(release(id)),
    release_create: ({ workspace_id, input }) => {
      workspace(workspace_id);
      const valid = validateRelease(input);
      checkRoster(workspace_id, valid.artist_ids);
      const at = now();
      const r: StoredRelease = { id: newId(), workspace_id, ...valid, created_at: at, updated_at: at };
      data.releases.push(r);
      return toDetail(r);
    },
    release_update: ({ id, input }) => {
      const r = release(id);
      const valid = validateRelease(input);
      checkRoster(r.workspace_id, valid.artist_ids);
      Object.assign(r, valid, { artwork: r.artwork, updated_at: now() });
      return toDetail(r);
    },
    release_delete: ({ id }) => {
      release(id);
      data.releases = data.releases.filter((r) => r.id !== id);
      data.tracks = data.tracks.filter((t) => t.release_id !== id);
      return null;
    },
    track_add: ({ release_id, input }) => {
      const r = release(release_id);
      const valid = validateTrack(input);
      checkRoster(r.workspace_id, valid.artist_ids);
      const onDisc = data.tracks.filter((t) => t.release_id === release_id && t.disc_number === valid.disc_number);
      const position = input.position ?? Math.max(0, ...onDisc.map((t) => t.position)) + 1;
      positionFree(release_id, valid.disc_number, position, null);
      const at = now();
      const t: StoredTrack = { id: newId(), release_id, position, ...valid, created_at: at, updated_at: at };
      data.tracks.push(t);
      touch(release_id);
      return toTrack(t);
    },
    track_update: ({ id, input }) => {
      const t = track(id);
      const valid = validateTrack(input);
      checkRoster(release(t.release_id).workspace_id, valid.artist_ids);
      const position = input.position ?? t.position;
      positionFree(t.release_id, valid.disc_number, position, id);
      Object.assign(t, valid, { position, updated_at: now() });
      touch(t.release_id);
      return toTrack(t);
    },
    track_delete: ({ id }) => {
      const t = track(id);
      data.tracks = data.tracks.filter((x) => x.id !== id);
      touch(t.release_id);
      return null;
    },
    release_add_files: ({ release_id, paths }) => {
      const r = release(release_id);
      const channel = currentChannel as unknown as Channel<Progress> | null;
      const files = paths.flatMap((p) => (p.endsWith('/') ? Object.keys(data.files).filter((f) => f.startsWith(p)).sort() : [p]));
      channel?.onmessage({ done: 0, total: files.length });
      const reports: AssetReport[] = files.map((path, i) => {
        const report = mockAnalyze(path, mediaExists(path));
        channel?.onmessage({ done: i + 1, total: files.length });
        return report;
      });
      const tracks: Track[] = [];
      for (const report of reports) {
        if (report.kind !== 'audio' || 'error' in report) continue;
        const audio = report as AudioAnalysis;
        const stem = (audio.path.split('/').pop() ?? audio.path).replace(/\.[^.]+$/, '');
        const onDisc = data.tracks.filter((t) => t.release_id === release_id && t.disc_number === 1);
        const at = now();
        const stored: StoredTrack = {
          id: newId(), release_id, position: Math.max(0, ...onDisc.map((t) => t.position)) + 1,
          ...validateTrack(newTrackInput(audio.tags.title ?? stem, { duration_ms: Math.round(audio.duration_seconds * 1000), audio })),
          created_at: at, updated_at: at,
        };
        data.tracks.push(stored);
        tracks.push(toTrack(stored));
      }
      const cover = reports.find((x): x is AssetReport & ImageAnalysis => x.kind === 'image' && !('error' in x));
      if (cover) r.artwork = imageOf(cover);
      touch(release_id);
      return { release_id, tracks, artwork_set: !!cover, files: reports };
    },
    release_files_cancel: () => false,
    release_files_dialog: () => (options.mediaDialog ? options.mediaDialog() : DEMO_MEDIA),
    release_upload: ({ file_name, bytes }) => {
      const path = `/tmp/roadie-uploads/${newId()}/${file_name.split(/[\\/]/).pop()}`;
      data.files[path] = new TextDecoder().decode(new Uint8Array(bytes.slice(0, 1_000_000)));
      return path;
    },
    release_set_artwork: ({ id, path }) => {
      const r = release(id);
      const report = mockAnalyze(path, mediaExists(path));
      if ('error' in report) fail('asset_unreadable', report.error.message, { path, reason: report.error.code });
      if (report.kind !== 'image') fail('asset_unreadable', `${path} is not an image`, { path, reason: 'not_an_image' });
      r.artwork = imageOf(report as ImageAnalysis);
      touch(id);
      return toDetail(r);
    },
    release_remove_artwork: ({ id }) => {
      const r = release(id);
      r.artwork = null;
      return toDetail(r);
    },
    release_artwork_dialog: () => (options.mediaDialog ? (options.mediaDialog()[0] ?? null) : null),
    delivery_rules: () => ({
      artwork_min_px: 3000, artwork_max_px: 6000, artwork_square: true, artwork_color_model: 'rgb', artwork_formats: ['jpeg', 'png'],
      audio_lossless: true, audio_min_sample_rate: 44100, audio_bit_depths: [16, 24], audio_channels: [1, 2],
      loudness_min_lufs: -20, loudness_max_lufs: -6, loudness_reference_lufs: -14, true_peak_max_dbtp: -1, silence_max_seconds: 2, track_min_seconds: 30,
    }),
    release_check: ({ id }) => mockReadiness(toDetail(release(id)), data.tracks),
    isrc_assign: ({ track_id }) => {
      const t = track(track_id);
      if (t.isrc) fail('track_has_isrc', `the track already has the ISRC ${t.isrc}`, { id: t.id, isrc: t.isrc });
      const r = release(t.release_id);
      const owner = r.artist_ids.map((a) => prefixes[`artist:${a}`]).find(Boolean) ? `artist:${r.artist_ids.find((a) => prefixes[`artist:${a}`])}` : `workspace:${r.workspace_id}`;
      const prefix = prefixes[owner];
      if (!prefix) fail('no_isrc_prefix', 'no ISRC registrant prefix is set', { owner: 'workspace' });
      counters[owner] = (counters[owner] ?? 0) + 1;
      t.isrc = `${prefix}${String(now().slice(2, 4))}${String(counters[owner]).padStart(5, '0')}`;
      touch(t.release_id);
      return t.isrc;
    },
    isrc_prefix_get: ({ owner }) => prefixes[`${owner.kind}:${owner.id}`] ?? null,
    isrc_prefix_set: ({ owner, prefix }) => {
      const value = prefix?.trim().toUpperCase().replace(/-/g, '') || null;
      if (value && !/^[A-Z]{2}[A-Z0-9]{3}$/.test(value)) {
        fail('invalid_input', 'invalid ISRC prefix', {}, [{ field: 'isrc_prefix', reason: 'invalid_isrc_prefix', detail: `'${prefix}' is not a registrant prefix (CC-XXX)` }]);
      }
      if (value) prefixes[`${owner.kind}:${owner.id}`] = value;
      else delete prefixes[`${owner.kind}:${owner.id}`];
      return value;
    },
    workspace_dpid_get: ({ workspace_id }) => (workspace(workspace_id), dpids[workspace_id] ?? null),
    workspace_dpid_set: ({ workspace_id, dpid }) => {
      workspace(workspace_id);
      const value = dpid?.trim() || null;
      if (value && !/^PADPIDA[A-Za-z0-9]+$/i.test(value)) {
        fail('invalid_input', 'invalid workspace', {}, [{ field: 'dpid', reason: 'invalid_dpid', detail: `'${value}' is not a DDEX Party ID` }]);
      }
      const normal = value ? `PADPIDA${value.slice(7)}` : null;
      if (normal) dpids[workspace_id] = normal;
      else delete dpids[workspace_id];
      return normal;
    },
    release_import_ern: ({ workspace_id, path }) => importErn(workspace_id, path),
    release_import_ern_dialog: ({ workspace_id }) => {
      const path = options.ernDialog ? options.ernDialog() : null;
      return path ? importErn(workspace_id, path) : null;
    },
    release_export_ern_dialog: ({ id }) => {
      const r = release(id);
      return options.saveDialog ? options.saveDialog(`${r.upc ?? `release-${r.id}`}.xml`) : `/home/you/Music/${r.upc ?? 'release'}.xml`;
    },
    fans_list: ({ workspace_id, filter, offset, limit }) => {
      const all = fansOf(workspace_id, filter);
      return { total: all.length, rows: all.slice(offset, offset + Math.min(limit, 1000)).map(summary) };
    },
    fans_list_after: ({ workspace_id, filter, after, limit }) => {
      const all = fansOf(workspace_id, filter);
      const start = after ? keysetIndex(all, after) : 0;
      return all.slice(start, start + Math.min(limit, 1000)).map(summary);
    },
    fans_list_before: ({ workspace_id, filter, before, limit }) => {
      const all = fansOf(workspace_id, filter);
      const end = keysetIndex(all, before, false);
      return all.slice(Math.max(0, end - Math.min(limit, 1000)), end).map(summary);
    },
    fans_count: ({ workspace_id, filter }) => fansOf(workspace_id, filter).length,
    fans_search: ({ workspace_id, query, limit }) => fansOf(workspace_id, { ...emptyFanFilter(), query }).slice(0, limit).map(summary),
    fans_contact: ({ id }) => {
      const { timeline: _timeline, ...c } = contact(id);
      return c;
    },
    fans_timeline: ({ id }) => [...contact(id).timeline].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)),
    fans_tag: ({ ids, tags }) => {
      const clean = tags.map((t) => t.trim()).filter(Boolean);
      if (!clean.length) fail('invalid_input', 'no tags', { entity: 'tags' }, [{ field: 'tags', reason: 'required', detail: 'no tags' }]);
      let changed = 0;
      for (const id of ids) {
        const c = contact(id);
        const before = c.tags.length;
        c.tags = [...new Set([...c.tags, ...clean])].sort();
        if (c.tags.length !== before) {
          changed++;
          c.updated_at = now();
        }
      }
      return changed;
    },
    fans_record_consent: ({ id, input }) => {
      const c = contact(id);
      const check = new Checker();
      const source = check.required('source', input.source, 500);
      check.finish('consent');
      c.timeline.push({ type: 'consent', id: newId(), status: input.status, at: input.at, source, wording: input.wording, recorded_at: now() });
      c.consent = deriveConsent(c);
      const { timeline: _t, ...rest } = c;
      return rest;
    },
    fans_update: ({ id, input }) => {
      const c = contact(id);
      const check = new Checker();
      const name = check.optional('name', input.name, 200);
      const emails: string[] = [];
      input.emails.forEach((raw, i) => {
        if (!raw.trim()) return;
        const e = normalizeEmail(raw);
        if (e === null) check.issue(`emails[${i}]`, 'invalid_email', `'${raw.trim()}' is not an e-mail address`);
        else if (!emails.includes(e)) emails.push(e);
      });
      const phone = check.optional('phone', input.phone, 50);
      const city = check.optional('city', input.city, 100);
      const region = check.optional('region', input.region, 100);
      const country = check.identifier('country', 'invalid_country', input.country, normalizeCountry);
      const language = check.optional('language', input.language, 35);
      const notes = check.optional('notes', input.notes, 10_000);
      const tags = [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))];
      if (!name && !phone && !input.emails.some((e) => e.trim())) check.issue('emails', 'required', 'a contact needs a name, an e-mail or a phone number');
      check.finish('contact');
      for (const e of emails) {
        const owner = data.contacts.find((o) => o.id !== id && o.workspace_id === c.workspace_id && o.emails.some((x) => x.email === e));
        if (owner) fail('email_taken', `${e} belongs to another contact`, { email: e, contact_id: owner.id });
      }
      const bounced = new Set(c.emails.filter((e) => e.bounced).map((e) => e.email));
      Object.assign(c, {
        name,
        phone,
        city,
        region,
        country,
        language,
        notes,
        tags: tags.sort(),
        emails: emails.map((email, i) => ({ email, is_primary: i === 0, bounced: bounced.has(email) })),
        email: emails[0] ?? null,
        updated_at: now(),
      });
      const { timeline: _t, ...rest } = c;
      return rest;
    },
    fans_link_sales: ({ workspace_id }) => {
      workspace(workspace_id);
      return { sales: 0, linked: 0, contacts: 0, unknown_buyers: 0 };
    },
    fans_erase: ({ id }) => {
      contact(id);
      data.contacts = data.contacts.filter((c) => c.id !== id);
      return null;
    },
    fans_contact_export_dialog: ({ id }) => {
      contact(id);
      return `/home/you/Documents/contact-${id}.json`;
    },
    fans_segments: ({ workspace_id }) =>
      store()
        .segments.filter((s) => s.workspace_id === workspace_id)
        .sort((a, b) => byText(a.name, b.name))
        .map((s) => ({ id: s.id, name: s.name, filter: s.filter, count: fansOf(workspace_id, s.filter).length })),
    fans_segment_save: ({ workspace_id, name, filter }) => {
      workspace(workspace_id);
      const check = new Checker();
      const valid = check.required('name', name, 100);
      check.finish('segment');
      let s = data.segments.find((x) => x.workspace_id === workspace_id && x.name === valid);
      if (s) s.filter = filter;
      else {
        s = { id: newId(), workspace_id, name: valid, filter };
        data.segments.push(s);
      }
      return { id: s.id, name: s.name, filter: s.filter, count: fansOf(workspace_id, filter).length };
    },
    fans_segment_delete: ({ id }) => {
      if (!data.segments.some((s) => s.id === id)) fail('not_found', `segment ${id} not found`, { entity: 'segment', id });
      data.segments = data.segments.filter((s) => s.id !== id);
      return null;
    },
    fans_duplicates: ({ workspace_id }) => {
      workspace(workspace_id);
      const groups: DuplicateGroup[] = [];
      const mine = data.contacts.filter((c) => c.workspace_id === workspace_id);
      for (const [reason, key] of [
        ['same_phone', (c: StoredContact) => (c.phone ? c.phone.replace(/\D/g, '') : null)],
        ['same_name_city', (c: StoredContact) => (c.name && c.city ? `${c.name.toLowerCase()}|${c.city.toLowerCase()}` : null)],
      ] as const) {
        const by = new Map<string, StoredContact[]>();
        for (const c of mine) {
          const k = key(c);
          if (k) by.set(k, [...(by.get(k) ?? []), c]);
        }
        for (const list of by.values()) if (list.length > 1) groups.push({ reason, contacts: list.map(summary) });
      }
      return groups;
    },
    fans_merge: ({ keep, others, choices }) => {
      const kept = contact(keep);
      const rest = others.filter((o) => o !== keep).map(contact);
      const everyone = [kept, ...rest];
      for (const f of ['name', 'phone', 'city', 'region', 'country', 'language', 'notes'] as const) {
        const from = choices[f] ? everyone.find((c) => c.id === choices[f]) : null;
        if (choices[f] && !from) fail('invalid_input', `merge choice for ${f} is not one of the contacts`, { entity: 'merge' }, [{ field: f, reason: 'invalid', detail: 'not one of the merged contacts' }]);
        kept[f] = from ? from[f] : (kept[f] ?? rest.find((c) => c[f])?.[f] ?? null);
      }
      for (const o of rest) {
        for (const e of o.emails) if (!kept.emails.some((x) => x.email === e.email)) kept.emails.push({ ...e, is_primary: false });
        kept.tags = [...new Set([...kept.tags, ...o.tags])].sort();
        kept.sources = [...new Set([...kept.sources, ...o.sources])].sort();
        kept.timeline.push(...o.timeline);
      }
      kept.consent = deriveConsent(kept);
      data.contacts = data.contacts.filter((c) => !rest.includes(c));
      const { timeline: _t, ...out } = kept;
      return out;
    },
    fans_export_dialog: ({ workspace_id, filter, include_without_consent }) => {
      const all = fansOf(workspace_id, filter);
      const written = all.filter((c) => include_without_consent || c.consent === 'opted_in').length;
      return { written, skipped: all.length - written };
    },
    fans_import_pick: () => null,
    fans_import_preview: ({ workspace_id, path }) => preview(workspace_id, path),
    fans_import_upload: ({ workspace_id, file_name, bytes }) => {
      workspace(workspace_id);
      const path = `/tmp/roadie-uploads/${newId()}/${file_name.split(/[\\/]/).pop() || 'upload.csv'}`;
      data.files[path] = new TextDecoder().decode(new Uint8Array(bytes));
      return preview(workspace_id, path);
    },
    fans_mapping_save: ({ workspace_id, name, headers, fields }) => {
      workspace(workspace_id);
      const check = new Checker();
      const valid = check.required('name', name, 100);
      for (const [field, header] of Object.entries(fields)) {
        if (!headers.some((h) => normalizeHeader(h) === normalizeHeader(header ?? ''))) check.issue('columns', 'unknown_column', `the file has no column '${header}' (for ${field})`);
      }
      check.finish('mapping');
      data.fanMappings = data.fanMappings.filter((m) => !(m.workspace_id === workspace_id && m.name === valid));
      data.fanMappings.push({ workspace_id, name: valid, key: headers.map(normalizeHeader).join('\u001f'), fields });
      return null;
    },
    fans_import: ({ workspace_id, path, options, progress }) => importFans(workspace_id, path, options, progress),
    fans_cancel: () => false,

    royalties_import: ({ paths, options }) =>
      paths.map((path, i) => {
        const text = (options_.files ?? {})[path];
        if (text === undefined) {
          return { name: path, report: null, error: payload('statement_unreadable', `cannot read the statement ${path}: no such file`, { file: path, reason: 'no such file' }) };
        }
        return importText(path, text, options, i, paths.length);
      }),
    royalties_import_bytes: ({ name, bytes, options }) => [importText(name, decodeBytes(bytes, options.encoding), options, 0, 1)],
    royalties_import_cancel: () => false,
    royalties_statement_dialog: () => (options_.statementDialog ? options_.statementDialog() : []),
    royalties_report: ({ by, filter }) => {
      store();
      const keep = artistLines(filter.artist_id);
      const totals = new Map<string, ReportRow & { amounts: string[] }>();
      for (const line of data.lines) {
        if (filter.period && line.period !== filter.period) continue;
        if (filter.currency && line.currency !== filter.currency) continue;
        if (!keep(line)) continue;
        const key =
          by === 'month' ? line.period : by === 'store' ? line.store : by === 'territory' ? (line.territory ?? 'unknown') : by === 'release' ? (line.release_id ?? 'unmatched') : (line.track_id ?? 'unmatched');
        const id = `${key}\u0000${line.currency}`;
        const row = totals.get(id) ?? { key, currency: line.currency, units: 0, amount: '0', amounts: [] };
        row.units += line.units;
        row.amounts.push(line.amount);
        totals.set(id, row);
      }
      const rows: ReportRow[] = [...totals.values()].map(({ key, currency, units, amounts }) => ({ key, currency, units, amount: sumAmounts(amounts) }));
      if (by === 'month') rows.sort((a, b) => (a.key + a.currency).localeCompare(b.key + b.currency));
      else rows.sort((a, b) => compareAmounts(b.amount, a.amount) || (a.key + a.currency).localeCompare(b.key + b.currency));
      return { by, rows };
    },
    royalties_unmatched: ({ limit }) => {
      store();
      const groups = new Map<string, { isrc: string | null; title: string | null; artist: string | null; lines: number; units: number }>();
      for (const line of data.lines.filter(unmatched)) {
        const id = JSON.stringify([line.isrc, line.title, line.artist]);
        const g = groups.get(id) ?? { isrc: line.isrc, title: line.title, artist: line.artist, lines: 0, units: 0 };
        g.lines += 1;
        g.units += line.units;
        groups.set(id, g);
      }
      return [...groups.values()].sort((a, b) => b.lines - a.lines || (a.title ?? '').localeCompare(b.title ?? '')).slice(0, limit);
    },
    royalties_unmatched_count: () => {
      store();
      return data.lines.filter(unmatched).length;
    },
    royalties_assign: ({ by, target }) => {
      store();
      let rule: Data['rules'][number];
      if (by.kind === 'isrc') {
        const isrc = normalizeIsrc(by.isrc);
        if (!isrc) fail('invalid_input', `invalid assignment: isrc: '${by.isrc}' is not an ISRC`, { entity: 'assignment' }, [{ field: 'isrc', reason: 'invalid_isrc', detail: `'${by.isrc}' is not an ISRC` }]);
        rule = { kind: 'isrc', key: isrc, track_id: null, release_id: null };
      } else {
        const key = titleArtistKey(by.title, by.artist);
        if (!key) fail('invalid_input', 'invalid assignment: title: a title is required', { entity: 'assignment' }, [{ field: 'title', reason: 'required', detail: 'a title is required' }]);
        rule = { kind: 'title_artist', key, track_id: null, release_id: null };
      }
      if (target.kind === 'track') {
        const t = track(target.id);
        rule.track_id = t.id;
        rule.release_id = t.release_id;
      } else {
        rule.release_id = release(target.id).id;
      }
      data.rules = data.rules.filter((r) => !(r.kind === rule.kind && r.key === rule.key));
      data.rules.push(rule);
      let moved = 0;
      for (const line of data.lines.filter(unmatched)) {
        if (ruleTakes(rule, line)) {
          line.track_id = rule.track_id;
          line.release_id = rule.release_id;
          moved++;
        }
      }
      return moved;
    },
    royalties_statement_header: ({ path }) => {
      const text = (options_.files ?? {})[path];
      if (text === undefined) fail('statement_unreadable', `cannot read the statement ${path}: no such file`, { file: path, reason: 'no such file' });
      return splitRow(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '');
    },
    royalties_statement_preview: ({ path, encoding, mapping }) => {
      const text = (options_.files ?? {})[path];
      if (text === undefined) fail('statement_unreadable', `cannot read the statement ${path}: no such file`, { file: path, reason: 'no such file' });
      return previewText(text, encoding ?? 'utf-8', mapping);
    },
    royalties_statement_preview_bytes: ({ bytes, encoding, mapping }) => previewText(decodeBytes(bytes, encoding), encoding ?? 'utf-8', mapping),
    royalties_mapping_list: () => [...store().mappings].sort((a, b) => byText(a.name, b.name)),
    royalties_mapping_save: ({ name, header, mapping }) => {
      const check = new Checker();
      const n = check.required('name', name, 100);
      if (!mapping.reporting_period.trim()) check.issue('reporting_period', 'required', 'the reporting period column is required');
      if (!mapping.amount.trim()) check.issue('amount', 'required', 'the amount column is required');
      const lower = header.map((h) => h.trim().toLowerCase());
      for (const [field, column] of Object.entries(mapping)) {
        if (typeof column !== 'string' || !column || field.startsWith('default_') || field === 'date_order') continue;
        if (!lower.includes(column.trim().toLowerCase())) check.issue(field, 'invalid', `no column '${column}' in the header`);
      }
      check.finish('mapping');
      const existing = store().mappings.find((m) => m.name === n);
      const stamp = now();
      const saved: SavedMapping = { id: existing?.id ?? newId(), name: n, header, mapping, created_at: existing?.created_at ?? stamp, updated_at: stamp };
      data.mappings = [...data.mappings.filter((m) => m.name !== n), saved];
      return saved;
    },
  };

  // ---- royalties (a DistroKid-only importer: enough for the screens and their tests) ----

  function payload(code: string, message: string, params: Record<string, string>): ErrorPayload {
    return { code, message, params, issues: [] };
  }

  function unmatched(line: MockLine): boolean {
    return line.track_id === null && line.release_id === null;
  }

  function titleArtistKey(title: string | null, artist: string | null): string | null {
    const t = (title ?? '').trim().toLowerCase();
    return t ? `${t}\u0000${(artist ?? '').trim().toLowerCase()}` : null;
  }

  function ruleTakes(rule: Data['rules'][number], line: MockLine): boolean {
    return rule.kind === 'isrc' ? line.isrc === rule.key : titleArtistKey(line.title, line.artist) === rule.key;
  }

  function artistLines(artistId: string | null): (line: MockLine) => boolean {
    if (!artistId) return () => true;
    const releases = new Set(data.releases.filter((r) => r.artist_ids.includes(artistId)).map((r) => r.id));
    const tracks = new Set(data.tracks.filter((t) => t.artist_ids.includes(artistId) || releases.has(t.release_id)).map((t) => t.id));
    return (line) => (line.track_id ? tracks.has(line.track_id) : line.release_id !== null && releases.has(line.release_id));
  }

  function splitRow(row: string): string[] {
    return row.split(row.includes('\t') ? '\t' : ',').map((c) => c.trim());
  }

  /** Amounts as the wild writes them: thousands separators, parentheses for negatives. */
  function parseAmount(cell: string): string | null {
    let v = cell.trim().replaceAll(',', '').replace(/^\$/, '');
    let negative = false;
    if (/^\(.*\)$/.test(v)) {
      negative = true;
      v = v.slice(1, -1);
    }
    if (!/^-?\d+(\.\d+)?$/.test(v)) return null;
    return negative ? `-${v}` : v;
  }

  function matchLine(line: MockLine): void {
    const byIsrc = line.isrc ? data.tracks.find((t) => t.isrc === line.isrc) : undefined;
    const byTitle =
      byIsrc ??
      data.tracks.find((t) => {
        const names = t.artist_ids.concat(data.releases.find((r) => r.id === t.release_id)?.artist_ids ?? []).map((id) => data.artists.find((a) => a.id === id)?.name ?? '');
        return titleArtistKey(t.title, null)?.split('\u0000')[0] === line.title?.trim().toLowerCase() && names.some((n) => n.toLowerCase() === (line.artist ?? '').trim().toLowerCase());
      });
    if (byTitle) {
      line.track_id = byTitle.id;
      line.release_id = byTitle.release_id;
      return;
    }
    const rule = data.rules.find((r) => ruleTakes(r, line));
    if (rule) {
      line.track_id = rule.track_id;
      line.release_id = rule.release_id;
    }
  }

  function importText(name: string, text: string, options: ImportOptions, index: number, count: number): ImportFileResult {
    store();
    const hash = `${text.length}:${[...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)}`;
    const previous = data.statements.find((s) => s.hash === hash);
    if (previous) return { name, report: { ...previous.report, path: name, duplicate_file: true, imported: 0, matched: 0, unmatched: 0, skipped: [] }, error: null };
    const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = splitRow(rows[0] ?? '').map((h) => h.toLowerCase());
    const col = (n: string) => header.indexOf(n.toLowerCase());
    if (col('Reporting Date') < 0 || col('Earnings (USD)') < 0) {
      const shown = splitRow(rows[0] ?? '');
      const saved = options.mapping ? store().mappings.find((m) => m.name === options.mapping) : store().mappings.find((m) => sameHeader(m.header, shown));
      if (options.mapping && !saved) return { name, report: null, error: payload('not_found', `no mapping named ${options.mapping}`, { kind: 'mapping', id: options.mapping }) };
      if (saved) return importMapped(name, hash, rows, saved, options, index, count);
      return { name, report: null, error: payload('statement_layout_unknown', `${name}: Roadie does not know this layout`, { file: name, header: rows[0] ?? '' }) };
    }
    const lines: MockLine[] = [];
    const skipped: ImportReport['skipped'] = [];
    let read = 0;
    for (let i = 1; i < rows.length; i++) {
      if (!rows[i].trim()) continue;
      read++;
      const cells = rows[i].split('\t');
      const cell = (n: string) => (col(n) >= 0 ? (cells[col(n)] ?? '').trim() : '');
      const amount = parseAmount(cell('Earnings (USD)'));
      const period = /^(\d{4}-\d{2})/.exec(cell('Reporting Date'))?.[1];
      const reason = amount === null ? `Earnings (USD): '${cell('Earnings (USD)')}' is not an amount` : !period ? `Reporting Date: '${cell('Reporting Date')}' is not a date` : null;
      if (reason) {
        if (!options.skip_invalid) {
          return { name, report: null, error: payload('statement_line_invalid', `${name}, line ${i + 1}: ${reason}`, { file: name, line: String(i + 1), reason }) };
        }
        skipped.push({ line: i + 1, reason });
        continue;
      }
      lines.push({
        period: period!,
        store: cell('Store'),
        territory: cell('Country of Sale') || null,
        isrc: normalizeIsrc(cell('ISRC')),
        title: cell('Title') || null,
        artist: cell('Artist') || null,
        units: Number.parseInt(cell('Quantity') || '0', 10) || 0,
        amount: amount!,
        currency: 'USD',
        track_id: null,
        release_id: null,
      });
      if (read % 1000 === 0) progress(name, index, count, read, text.length, text.length);
    }
    for (const line of lines) matchLine(line);
    progress(name, index, count, read, text.length, text.length);
    const matched = lines.filter((l) => !unmatched(l)).length;
    const report: ImportReport = {
      path: name, format: 'distrokid', layout: 'distrokid-bank-details-2023', encoding: 'UTF-8',
      lines: read, imported: lines.length, duplicate_file: false, matched, unmatched: lines.length - matched, skipped,
    };
    data.lines.push(...lines);
    data.statements.push({ hash, report });
    return { name, report, error: null };
  }

  function decodeBytes(bytes: number[], encoding: string | null): string {
    return new TextDecoder(encoding ?? 'utf-8').decode(new Uint8Array(bytes));
  }

  function sameHeader(a: string[], b: string[]): boolean {
    return a.length === b.length && a.every((h, i) => h.trim().toLowerCase() === b[i].trim().toLowerCase());
  }

  /** A month from a mapped date cell, in the mapping's date order. */
  function mappedMonth(cell: string, order: ColumnMapping['date_order']): string | null {
    const v = cell.trim();
    const ym = /^(\d{4})[-/.]?(\d{2})/.exec(v);
    if (ym) return `${ym[1]}-${ym[2]}`;
    const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})/.exec(v);
    if (!dmy || order === 'ymd') return null;
    const [a, b] = [Number(dmy[1]), Number(dmy[2])];
    const month = order === 'dmy' ? b : a;
    const day = order === 'dmy' ? a : b;
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    return `${dmy[3]}-${String(month).padStart(2, '0')}`;
  }

  /** Reads data rows with a column mapping; an issue per row that does not read. */
  function readMapped(header: string[], rows: string[], mapping: ColumnMapping): { lines: (MockLine & { line: number })[]; issues: LineIssue[] } {
    const lower = header.map((h) => h.trim().toLowerCase());
    const idx = (c: string | null | undefined) => (c ? lower.indexOf(c.trim().toLowerCase()) : -1);
    const missing = [mapping.reporting_period, mapping.amount, mapping.store, mapping.currency, mapping.territory, mapping.isrc, mapping.upc, mapping.title, mapping.artist, mapping.units, mapping.sale_period, mapping.usage_type].filter((c) => c && idx(c) < 0);
    if (missing.length) return { lines: [], issues: [{ line: 1, reason: `the header has no column ${missing.map((c) => `'${c}'`).join(', ')}` }] };
    const lines: (MockLine & { line: number })[] = [];
    const issues: LineIssue[] = [];
    rows.forEach((row, i) => {
      if (!row.trim()) return;
      const cells = splitRow(row);
      const cell = (c: string | null | undefined) => (idx(c) >= 0 ? (cells[idx(c)] ?? '').trim() : '');
      const period = mappedMonth(cell(mapping.reporting_period), mapping.date_order);
      const amount = parseAmount(cell(mapping.amount));
      const currency = (cell(mapping.currency) || mapping.default_currency || '').toUpperCase();
      const reason = !period
        ? `column '${mapping.reporting_period}': '${cell(mapping.reporting_period)}' is not a date or month`
        : amount === null
          ? `column '${mapping.amount}': '${cell(mapping.amount)}' is not an amount`
          : !/^[A-Z]{3}$/.test(currency)
            ? `'${currency}' is not an ISO 4217 currency code`
            : null;
      if (reason) {
        issues.push({ line: i + 2, reason });
        return;
      }
      lines.push({
        line: i + 2,
        period: period!,
        store: cell(mapping.store) || mapping.default_store || '',
        territory: cell(mapping.territory) || null,
        isrc: normalizeIsrc(cell(mapping.isrc)),
        title: cell(mapping.title) || null,
        artist: cell(mapping.artist) || null,
        units: Number.parseInt(cell(mapping.units) || '0', 10) || 0,
        amount: amount!,
        currency,
        track_id: null,
        release_id: null,
      });
    });
    return { lines, issues };
  }

  function previewText(text: string, encoding: string, mapping: ColumnMapping | null): StatementPreview {
    const all = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = splitRow(all[0] ?? '');
    const body = all.slice(1).filter((r) => r.trim()).slice(0, 8);
    const lower = header.map((h) => h.toLowerCase());
    const saved = store().mappings.find((m) => sameHeader(m.header, header));
    return {
      header,
      rows: body.map(splitRow),
      line_numbers: body.map((_, i) => i + 2),
      encoding,
      format: lower.includes('reporting date') && lower.includes('earnings (usd)') ? 'distrokid' : null,
      saved_mapping: saved?.name ?? null,
      issues: mapping ? readMapped(header, body, mapping).issues : [],
    };
  }

  function importMapped(name: string, hash: string, rows: string[], saved: SavedMapping, options: ImportOptions, index: number, count: number): ImportFileResult {
    const { lines, issues } = readMapped(splitRow(rows[0] ?? ''), rows.slice(1), saved.mapping);
    if (issues.length && (issues[0].line === 1 || !options.skip_invalid)) {
      const first = issues[0];
      return { name, report: null, error: payload('statement_line_invalid', `${name}, line ${first.line}: ${first.reason}`, { file: name, line: String(first.line), reason: first.reason }) };
    }
    const stored: MockLine[] = lines.map(({ line: _line, ...rest }) => rest);
    for (const line of stored) matchLine(line);
    progress(name, index, count, stored.length, rows.length, rows.length);
    const matched = stored.filter((l) => !unmatched(l)).length;
    const report: ImportReport = {
      path: name, format: 'mapped', layout: `mapping '${saved.name}'`, encoding: options.encoding ?? 'utf-8',
      lines: lines.length + issues.length, imported: stored.length, duplicate_file: false, matched, unmatched: stored.length - matched, skipped: issues,
    };
    data.lines.push(...stored);
    data.statements.push({ hash, report });
    return { name, report, error: null };
  }

  function progress(name: string, file_index: number, file_count: number, lines: number, bytes_done: number, bytes_total: number): void {
    currentChannel?.onmessage({ file_index, file_count, name, lines, bytes_done, bytes_total });
  }

  function switchStore(kind: 'open' | 'new'): AppInfo | null {
    const path = options.dialogPath ? options.dialogPath(kind) : kind === 'new' ? '/home/you/Music/New Roadie store.sqlite' : '/home/you/Music/Another store.sqlite';
    if (path === null) return null;
    storePath = path;
    storeError = null;
    data = emptyData();
    return info();
  }

  return {
    get data() {
      return data;
    },
    calls,
    async call<K extends CommandName>(cmd: K, args: Args<K>): Promise<Result<K>> {
      calls.push({ cmd, args });
      sync.noteCall(cmd);
      const handler = handlers[cmd] as ((a: Args<K>) => Result<K>) | undefined;
      if (!handler) fail('unknown', `unknown command ${cmd}`);
      // Through JSON in and out, as over IPC: the UI never shares objects with the store, and
      // anything that would not survive serialisation (a Svelte state proxy is fine) fails here too.
      // A progress channel is a callback, not data: it is handed over as is (a Tauri channel goes
      // as its id).
      const progress = (args as { progress?: ProgressChannel }).progress;
      currentChannel = (args as { on_progress?: Channel<ImportProgressEvent> }).on_progress ?? (args as { on_analysis?: Channel<ImportProgressEvent> }).on_analysis ?? (args as { on_sync?: Channel<ImportProgressEvent> }).on_sync ?? null;
      try {
        const copy = ipc(args) as Args<K> & { progress?: ProgressChannel };
        if (progress) copy.progress = progress;
        const onChange = (args as { on_change?: Channel<unknown> }).on_change;
        if (onChange) (copy as { on_change?: Channel<unknown> }).on_change = onChange;
        const onGenerate = (args as { on_generate?: Channel<unknown> }).on_generate;
        if (onGenerate) (copy as { on_generate?: Channel<unknown> }).on_generate = onGenerate;
        return ipc(handler(copy));
      } finally {
        currentChannel = null;
      }
    },
    progressChannel(onmessage: (progress: Progress) => void): ProgressChannel {
      return { onmessage };
    },
    channel<T>(onmessage: (message: T) => void): Channel<T> {
      return { onmessage };
    },
    async onFileDrop(handler) {
      dropHandlers.add(handler);
      return () => dropHandlers.delete(handler);
    },
    drop(paths: string[]) {
      for (const handler of dropHandlers) handler({ kind: 'drop', paths });
    },
  };
}

/** A mock store with a little catalog in it, for browser dev (`?demo`) and screenshots. */
export async function seedDemo(host: Host, kind: 'label' | 'artist' = 'label'): Promise<void> {
  const ws = await host.call('workspace_create', { input: { kind, name: kind === 'label' ? 'Midnight Tape Records' : 'Lin Yue' } });
  const add = (input: ArtistInput) => host.call('artist_create', { workspace_id: ws.id, input });
  if (kind === 'artist') {
    const me = await add({ name: 'Lin Yue', sort_name: null, localized_names: [{ language: 'zh-Hans', name: '林月' }], country: 'CN', links: ['https://linyue.example'] });
    const r = await host.call('release_create', {
      workspace_id: ws.id,
      input: newReleaseInput({ title: 'Harbour Lights', type: 'ep', artist_ids: [me.id], release_date: '2026-03-20', status: 'ready' }),
    });
    for (const [title, duration_ms] of [['Harbour Lights', 214000], ['Tidewater', 187500], ['Ferry at Dawn', 241000]] as const) {
      await host.call('track_add', { release_id: r.id, input: newTrackInput(title, { duration_ms }) });
    }
    return;
  }
  await seedFans(host, ws.id);
  const jay = await add({ name: 'Jay Chou', sort_name: 'Chou, Jay', localized_names: [{ language: 'zh-Hans', name: '周杰伦' }], country: 'TW', links: ['https://www.jvrmusic.com'] });
  const nova = await add({ name: 'The Nova Lines', sort_name: 'Nova Lines, The', localized_names: [], country: 'GB', links: ['https://novalines.example', 'https://bandcamp.example/nova'] });
  const mei = await add({ name: 'Mei Tanaka', sort_name: 'Tanaka, Mei', localized_names: [{ language: 'ja', name: '田中芽衣' }], country: 'JP', links: [] });
  const rel = (title: string, type: ReleaseInput['type'], artist_ids: string[], release_date: string | null, status: ReleaseInput['status'], extra: Partial<ReleaseInput> = {}) =>
    host.call('release_create', {
      workspace_id: ws.id,
      input: newReleaseInput({ title, type, artist_ids, label_name: 'Midnight Tape Records', release_date, status, ...extra }),
    });
  const album = await rel('Night Market Radio', 'album', [jay.id], '2026-05-15', 'ready', { catalog_number: 'MTR-014', upc: '036000291452' });
  const tracks: [string, string | null, number, string | null][] = [
    ['Neon Rain', null, 224000, 'CNA012600001'],
    ['Night Market Radio', null, 198000, 'CNA012600002'],
    ['晴天 Reprise', 'Acoustic', 251000, null],
    ['Last Train Home', 'Radio Edit', 203500, null],
  ];
  for (const [title, version, duration_ms, isrc] of tracks) {
    await host.call('track_add', { release_id: album.id, input: newTrackInput(title, { version, duration_ms, isrc }) });
  }
  await seedStatement(host);
  await rel('Paper Satellites', 'ep', [nova.id], null, 'draft');
  await rel('Glasshouse', 'single', [mei.id, nova.id], '2025-11-07', 'delivered');
  await rel('Late Summer Sessions', 'compilation', [jay.id, nova.id, mei.id], '2024-08-30', 'delivered');
}

/** A few fans for the demo store: a Chinese sign-up sheet and an English list, one segment. */
async function seedFans(host: Host, workspaceId: string): Promise<void> {
  const sheet =
    '姓名,邮箱,电话,城市,国家,标签\n周杰伦,jay@example.com,+886 912 345 678,台北,TW,歌迷会\n林巧,lin.qiao@example.cn,,上海,CN,vip\n王菲,faye@example.cn,,北京,CN,歌迷会\n' +
    'Ada Fan,ada@example.com,,London,GB,vip\nBob Lee,bob@example.com,,Austin,US,merch\nMei Tanaka,mei@example.jp,,Tokyo,JP,\nJ. Chou,jchou@example.net,886912345678,Taipei,TW,\n';
  const bytes = Array.from(new TextEncoder().encode(sheet));
  const preview = await host.call('fans_import_upload', { workspace_id: workspaceId, file_name: 'merch-table.csv', bytes });
  await host.call('fans_import', {
    workspace_id: workspaceId,
    path: preview.path,
    options: { format: 'mapped', mapping: null, encoding: null, strict: false },
    job_id: 'demo',
    progress: host.progressChannel(() => {}),
  });
  const page = await host.call('fans_list', { workspace_id: workspaceId, filter: emptyFanFilter(), offset: 0, limit: 50 });
  for (const c of page.rows.filter((r) => r.country !== 'US')) {
    await host.call('fans_record_consent', { id: c.id, input: { status: 'opted_in', at: '2026-03-01T10:00:00Z', source: 'Merch table sign-up, Shanghai', wording: 'Send me news about shows' } });
  }
  await host.call('fans_segment_save', { workspace_id: workspaceId, name: 'VIP', filter: { ...emptyFanFilter(), tags: ['vip'] } });
  await host.call('fans_segment_save', { workspace_id: workspaceId, name: '中国粉丝', filter: { ...emptyFanFilter(), country: 'CN' } });
}

/** A DistroKid statement for the demo catalog: six months, four stores, a few unmatched lines. */
async function seedStatement(host: Host): Promise<void> {
  const header = 'Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)';
  const rows = [header];
  const stores = ['Spotify', 'Apple Music', 'YouTube Music', 'Deezer'];
  const countries = ['US', 'CN', 'TW', 'GB', 'JP', 'DE'];
  for (let i = 0; i < 240; i++) {
    const month = `2026-0${1 + (i % 6)}-15`;
    const store = stores[i % 4 === 3 ? 3 : i % 3];
    const [title, isrc] = i % 12 === 0 ? ['Neon Rain (Live)', ''] : i % 2 ? ['Neon Rain', 'CNA012600001'] : ['Night Market Radio', 'CNA012600002'];
    const amount = `${(i % 9) + 1}.${String((i * 37) % 1000).padStart(3, '0')}4`;
    rows.push(`${month}\t${month.slice(0, 7)}\t${store}\tJay Chou\t${title}\t${isrc}\t\t${(i % 50) + 10}\t100\tSong\t${countries[i % 6]}\t0\t${amount}`);
  }
  const bytes = Array.from(new TextEncoder().encode(rows.join('\r\n')));
  await host.call('royalties_import_bytes', {
    job_id: 'demo',
    name: 'distrokid-2026-h1.tsv',
    bytes,
    options: { format: null, mapping: null, encoding: null, skip_invalid: false },
    on_progress: host.channel(() => {}),
  });
}

const DEMO_FOLDER = '/home/you/Music/Night Market Radio/';
const DEMO_MEDIA = ['01 Neon Rain.wav', '02 Quiet Clip 22k.wav', 'cover small.png'].map((f) => DEMO_FOLDER + f);

/** A made-up analysis from the file name, for the mock: `quiet`, `clip`, `lossy`/.mp3,
 * `22k` and `small` (artwork) give the problems their names say. */
export function mockAnalyze(path: string, exists: boolean): AssetReport {
  const name = path.split(/[\\/]/).pop() ?? path;
  const ext = (name.split('.').pop() ?? '').toLowerCase();
  const image = ['jpg', 'jpeg', 'png'].includes(ext);
  const kind = image ? 'image' : 'audio';
  if (!exists) return { path, kind, error: { path, code: 'not_found', message: `cannot read ${path}: no such file` } };
  const sha256 = Array.from(name).reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(64, '0');
  if (image) {
    const px = /small/i.test(name) ? 600 : 3000;
    return { kind, path, format: ext === 'png' ? 'png' : 'jpeg', width: px, height: px, square: true, color_model: 'rgb', has_alpha: false, size_bytes: px * 120, sha256, thumbnail: MOCK_THUMBNAIL };
  }
  if (!['wav', 'wave', 'flac', 'aif', 'aiff', 'mp3', 'm4a'].includes(ext)) {
    return { path, kind, error: { path, code: 'unsupported_audio', message: `${name} is not an audio file Roadie can read` } };
  }
  const lossy = ext === 'mp3' || ext === 'm4a' || /lossy/i.test(name);
  const quiet = /quiet/i.test(name);
  const clip = /clip/i.test(name);
  const title = name.replace(/\.[^.]+$/, '').replace(/^\d+[ ._-]*/, '');
  return {
    kind, path, container: ext === 'flac' ? 'flac' : ext.startsWith('aif') ? 'aiff' : lossy ? 'mp3' : 'wav', codec: ext === 'flac' ? 'flac' : lossy ? 'mp3' : 'pcm_s24le',
    lossy, sample_rate: /22k/i.test(name) ? 22050 : 48000, bit_depth: lossy ? null : 24, channels: 2, duration_seconds: 183.4,
    integrated_lufs: quiet ? -31.2 : clip ? -7.9 : -13.8, loudness_range_lu: 6.1, true_peak_dbtp: clip ? 0.4 : -1.3, sample_peak_dbfs: clip ? 0 : -1.6,
    clipped_samples: clip ? 1840 : 0, leading_silence_seconds: 0.1, trailing_silence_seconds: 0.8, decode_errors: 0, size_bytes: 105_000_000, sha256,
    tags: { title: title || null, artist: null, album: null, isrc: null, track_number: null, disc_number: null },
  } as AssetReport;
}

const MOCK_THUMBNAIL =
  "data:image/svg+xml;utf8," + encodeURIComponent("<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'><defs><linearGradient id='g' x1='0' y1='0' x2='1' y2='1'><stop offset='0' stop-color='%23ff7a59'/><stop offset='1' stop-color='%233b2a8f'/></linearGradient></defs><rect width='256' height='256' fill='url(%23g)'/><circle cx='128' cy='128' r='60' fill='none' stroke='white' stroke-width='6'/></svg>").replace(/%2523/g, '%23');

function imageOf(report: ImageAnalysis): ImageAnalysis {
  const { kind: _kind, ...image } = report as ImageAnalysis & { kind?: string };
  return image as ImageAnalysis;
}

/** The engine's readiness check, reduced to the common problems (same codes and fields). */
function mockReadiness(d: ReleaseDetail, _all: unknown): Readiness {
  const problems: Problem[] = [];
  const add = (severity: Problem['severity'], code: string, field: string, message: string, message_zh: string, track: { n: number; id: string } | null = null) =>
    problems.push({ severity, code, field, message, message_zh, track: track?.n ?? null, track_id: track?.id ?? null });
  if (!d.upc) add('error', 'missing_upc', 'upc', 'The release has no UPC/EAN barcode.', '发行缺少 UPC/EAN 条形码。');
  if (!d.release_date) add('error', 'missing_release_date', 'release_date', 'The release has no release date.', '发行缺少发行日期。');
  if (!d.label_name) add('error', 'missing_label', 'label_name', 'The release has no label name.', '发行缺少厂牌名称。');
  if (!d.p_line) add('error', 'missing_p_line', 'p_line', 'The release has no ℗ line.', '发行缺少 ℗ 版权行。');
  if (!d.c_line) add('error', 'missing_c_line', 'c_line', 'The release has no © line.', '发行缺少 © 版权行。');
  if (!d.genre) add('error', 'missing_genre', 'genre', 'The release has no genre.', '发行缺少流派。');
  if (!d.language) add('warning', 'missing_language', 'language', 'The language of performance is not set.', '未设置演唱语言。');
  if (!d.artwork) add('error', 'missing_artwork', 'artwork', 'The release has no cover art.', '发行缺少封面。');
  else if (d.artwork.width < 3000 || d.artwork.height < 3000) {
    add('error', 'artwork_too_small', 'artwork', `The cover is ${d.artwork.width}×${d.artwork.height} px; stores need at least 3000×3000.`, `封面为 ${d.artwork.width}×${d.artwork.height} 像素，商店要求至少 3000×3000。`);
  }
  if (d.tracks.length === 0) add('error', 'no_tracks', 'tracks', 'The release has no tracks.', '发行没有曲目。');
  d.tracks.forEach((t, i) => {
    const at = { n: i + 1, id: t.id };
    if (!t.isrc) add('error', 'missing_isrc', 'isrc', 'The track has no ISRC.', '曲目缺少 ISRC。', at);
    const a = t.audio;
    if (!a) {
      add('error', 'missing_audio', 'audio', 'The track has no audio file.', '曲目缺少音频文件。', at);
      return;
    }
    if (a.lossy) add('error', 'lossy_audio', 'audio', `The audio is lossy (${a.codec}).`, `音频为有损格式（${a.codec}）。`, at);
    if (a.sample_rate < 44100) add('error', 'low_sample_rate', 'audio', `The sample rate is ${a.sample_rate} Hz; at least 44100 Hz is needed.`, `采样率为 ${a.sample_rate} Hz；至少需要 44100 Hz。`, at);
    if (a.integrated_lufs !== null && a.integrated_lufs < -20) add('warning', 'too_quiet', 'audio', `The track is very quiet (${a.integrated_lufs.toFixed(1)} LUFS).`, `音量过低（${a.integrated_lufs.toFixed(1)} LUFS）。`, at);
    if (a.clipped_samples > 0) add('warning', 'clipping', 'audio', `${a.clipped_samples} clipped samples.`, `有 ${a.clipped_samples} 个削波采样。`, at);
  });
  return { ready: !problems.some((p) => p.severity === 'error'), problems };
}
