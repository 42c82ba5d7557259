import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('durations', () => {
  it('formats milliseconds as m:ss or h:mm:ss', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(225_000)).toBe('3:45');
    expect(formatDuration(5_000)).toBe('0:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('parses what people type', () => {
    expect(parseDuration('')).toBeNull();
    expect(parseDuration(' 3:45 ')).toBe(225_000);
    expect(parseDuration('225')).toBe(225_000);
    expect(parseDuration('1:02:03')).toBe(3_723_000);
    expect(parseDuration('3:45.5')).toBe(225_500);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['abc', '3:75', '1:2:3:4', '-1', '3:', '1.5:00']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('round-trips', () => {
    for (const ms of [1000, 59_000, 60_000, 599_000, 3_600_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
