import { describe, expect, it } from 'vitest';
import { formatSeconds, rate } from './progress';

describe('import progress', () => {
  it('works out lines per second and time left from the bytes read', () => {
    expect(rate(50_000, 2_500_000, 10_000_000, 2_000)).toEqual({ linesPerSecond: 25_000, secondsLeft: 6, fraction: 0.25 });
  });

  it('says nothing until there is something to measure', () => {
    expect(rate(0, 0, 100, 5_000)).toEqual({ linesPerSecond: null, secondsLeft: null, fraction: 0 });
    expect(rate(10, 10, 100, 50).linesPerSecond).toBeNull();
  });

  it('formats seconds as m:ss or h:mm:ss', () => {
    expect(formatSeconds(5)).toBe('0:05');
    expect(formatSeconds(125)).toBe('2:05');
    expect(formatSeconds(3725)).toBe('1:02:05');
  });
});
