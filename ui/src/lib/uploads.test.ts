import { describe, expect, it } from 'vitest';
import { formatBytes, timeLeft } from './uploads';

describe('uploads', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(52_000_000)).toBe('52.0 MB');
    expect(formatBytes(1_230_000_000)).toBe('1.2 GB');
  });

  it('works out the time left from what this run sent', () => {
    expect(timeLeft(undefined, 10, 100, 0)).toBeNull();
    // Resumed at 40: 20 bytes in 2 s → 40 left at 10 B/s.
    expect(timeLeft({ at: 0, from: 40 }, 60, 100, 2000)).toBe(4);
    expect(timeLeft({ at: 0, from: 40 }, 40, 100, 2000)).toBeNull();
    expect(timeLeft({ at: 0, from: 0 }, 100, 100, 2000)).toBeNull();
  });
});
