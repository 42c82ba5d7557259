import { describe, expect, it } from 'vitest';
import { khz, parseSeconds, parseTerritories, formatSecondsMs, targetOf } from './releases';
import type { Problem } from './bindings';

const problem = (field: string, track_id: string | null = null): Problem => ({ severity: 'error', code: 'x', track: track_id ? 1 : null, track_id, field, message: '', message_zh: '' });

describe('release builder helpers', () => {
  it('formats sample rates', () => {
    expect(khz(44100)).toBe('44.1 kHz');
    expect(khz(48000)).toBe('48 kHz');
    expect(khz(22050)).toBe('22.05 kHz');
  });
  it('parses territories and preview starts', () => {
    expect(parseTerritories('us, gb ，cn US')).toEqual(['US', 'GB', 'CN']);
    expect(parseTerritories('  ')).toEqual([]);
    expect(parseSeconds('1:05')).toBe(65_000);
    expect(parseSeconds('30.5')).toBe(30_500);
    expect(parseSeconds('')).toBeNull();
    expect(parseSeconds('abc')).toBeUndefined();
    expect(formatSecondsMs(65_000)).toBe('1:05');
  });
  it('maps problems to the fields they concern', () => {
    expect(targetOf(problem('upc'))).toEqual({ kind: 'release', elementId: 'release-upc' });
    expect(targetOf(problem('artwork'))).toEqual({ kind: 'artwork' });
    expect(targetOf(problem('isrc', 't1'))).toEqual({ kind: 'track', trackId: 't1', part: 'row', elementId: 'track-edit-isrc' });
    expect(targetOf(problem('work.writers', 't1'))).toEqual({ kind: 'track', trackId: 't1', part: 'details', elementId: 'track-writer-add' });
    expect(targetOf(problem('audio', 't1'))).toMatchObject({ part: 'details', elementId: 'track-analysis' });
  });
});
