// The release builder's pure parts: analysis badges judged against the delivery rules, where a
// readiness problem points in the form, and territory lists.
import type { AudioAnalysis, DeliveryRules, ImageAnalysis, Problem } from './bindings';

export type Verdict = 'ok' | 'warn' | 'bad';

export interface Badge {
  /** Stable name, for tests and styling. */
  key: 'codec' | 'format' | 'lufs' | 'peak' | 'clipping' | 'lossy';
  text: string;
  verdict: Verdict;
}

const dB = (v: number | null, unit: string) => (v === null ? '—' : `${v.toFixed(1)} ${unit}`);

export function khz(rate: number): string {
  const k = rate / 1000;
  return `${Number.isInteger(k) ? k : k.toFixed(k * 10 === Math.round(k * 10) ? 1 : 2)} kHz`;
}

/** The badges of an analysed master: codec, rate/depth, loudness, true peak, clipping, lossy. */
export function audioBadges(a: AudioAnalysis, rules: DeliveryRules): Badge[] {
  const badges: Badge[] = [];
  badges.push({ key: 'codec', text: a.codec.replace(/^pcm_/, 'PCM ').toUpperCase(), verdict: a.lossy ? 'bad' : 'ok' });
  const depthOk = a.bit_depth === null || rules.audio_bit_depths.includes(a.bit_depth);
  badges.push({
    key: 'format',
    text: `${khz(a.sample_rate)}${a.bit_depth ? ` / ${a.bit_depth}-bit` : ''}`,
    verdict: a.sample_rate < rules.audio_min_sample_rate ? 'bad' : depthOk ? 'ok' : 'warn',
  });
  const lufs = a.integrated_lufs;
  badges.push({
    key: 'lufs',
    text: dB(lufs, 'LUFS'),
    verdict: lufs === null || lufs < rules.loudness_min_lufs || lufs > rules.loudness_max_lufs ? 'warn' : 'ok',
  });
  const peak = a.true_peak_dbtp;
  badges.push({ key: 'peak', text: dB(peak, 'dBTP'), verdict: peak !== null && peak > rules.true_peak_max_dbtp ? 'warn' : 'ok' });
  if (a.clipped_samples > 0) badges.push({ key: 'clipping', text: String(a.clipped_samples), verdict: 'warn' });
  if (a.lossy) badges.push({ key: 'lossy', text: a.codec.toUpperCase(), verdict: 'bad' });
  return badges;
}

export interface ArtworkCheck {
  key: 'size' | 'square' | 'color' | 'format';
  value: string;
  ok: boolean;
}

/** The cover against the stores' rules, one line per rule, with the measured value. */
export function artworkChecks(img: ImageAnalysis, rules: DeliveryRules): ArtworkCheck[] {
  return [
    {
      key: 'size',
      value: `${img.width} × ${img.height} px`,
      ok: Math.min(img.width, img.height) >= rules.artwork_min_px && Math.max(img.width, img.height) <= rules.artwork_max_px,
    },
    { key: 'square', value: img.square ? '1:1' : `${img.width}:${img.height}`, ok: img.square || !rules.artwork_square },
    { key: 'color', value: img.color_model.toUpperCase(), ok: img.color_model === rules.artwork_color_model },
    { key: 'format', value: img.format.toUpperCase(), ok: rules.artwork_formats.includes(img.format) },
  ];
}

/** Where a problem points: a release field (its element id), or a track and the part of it. */
export type Target =
  | { kind: 'release'; elementId: string }
  | { kind: 'artwork' }
  | { kind: 'tracks' }
  | { kind: 'track'; trackId: string; part: 'row' | 'details'; elementId: string };

const RELEASE_FIELDS: Record<string, string> = {
  title: 'release-title',
  type: 'release-type',
  upc: 'release-upc',
  release_date: 'release-date',
  original_release_date: 'release-original-date',
  label_name: 'release-label',
  p_line: 'release-pline-text',
  c_line: 'release-cline-text',
  genre: 'release-genre',
  subgenre: 'release-subgenre',
  language: 'release-language',
  explicit: 'release-explicit',
  territories: 'release-territories-ww',
  deals: 'release-territories-ww',
  catalog_number: 'release-catalog',
  version: 'release-version',
  display_artist: 'release-display-artist',
  artist_ids: 'release-artists',
};

const TRACK_ROW_FIELDS: Record<string, string> = {
  title: 'track-edit-title',
  version: 'track-edit-version',
  isrc: 'track-edit-isrc',
  disc_number: 'track-edit-disc',
  position: 'track-edit-position',
  duration: 'track-edit-duration',
};

const TRACK_DETAIL_FIELDS: Record<string, string> = {
  explicit: 'track-explicit',
  language: 'track-language',
  preview_start: 'track-preview',
  contributors: 'track-contributor-add',
  work: 'track-work-iswc',
  'work.iswc': 'track-work-iswc',
  'work.writers': 'track-writer-add',
  audio: 'track-analysis',
};

export function targetOf(problem: Problem): Target {
  const field = problem.field ?? '';
  if (problem.track_id) {
    if (field in TRACK_ROW_FIELDS) return { kind: 'track', trackId: problem.track_id, part: 'row', elementId: TRACK_ROW_FIELDS[field] };
    return { kind: 'track', trackId: problem.track_id, part: 'details', elementId: TRACK_DETAIL_FIELDS[field] ?? 'track-analysis' };
  }
  if (field === 'artwork') return { kind: 'artwork' };
  if (field === 'tracks') return { kind: 'tracks' };
  return { kind: 'release', elementId: RELEASE_FIELDS[field] ?? 'release-title' };
}

/** "US, gb ,JP" → ["US", "GB", "JP"]; empty → worldwide (`[]`, the engine's default). */
export function parseTerritories(text: string): string[] {
  return [...new Set(text.split(/[\s,;，、]+/).map((t) => t.trim().toUpperCase()).filter(Boolean))];
}

export function isWorldwide(territories: string[]): boolean {
  return territories.length === 0 || (territories.length === 1 && territories[0] === 'WW');
}

/** Seconds (text, "1:05" or "65" or "65.5") to milliseconds; null when empty, undefined when bad. */
export function parseSeconds(text: string): number | null | undefined {
  const v = text.trim();
  if (!v) return null;
  const m = /^(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(v);
  if (!m) return undefined;
  const seconds = (m[1] ? Number(m[1]) * 60 : 0) + Number(m[2]);
  return Math.round(seconds * 1000);
}

export function formatSecondsMs(ms: number | null): string {
  if (ms === null) return '';
  const total = ms / 1000;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  const sText = Number.isInteger(s) ? String(s).padStart(2, '0') : s.toFixed(1).padStart(4, '0');
  return `${m}:${sText}`;
}

/** A File's bytes as the number array the shell's upload command takes. */
export async function fileBytes(file: File): Promise<number[]> {
  return Array.from(new Uint8Array(await file.arrayBuffer()));
}

export const AUDIO_ACCEPT = '.wav,.wave,.flac,.aif,.aiff,.aifc,.mp3,.m4a,.aac,.ogg,.jpg,.jpeg,.png';
