// Upload sizes and time left, from the bytes sent since the run started and the clock (passed in).

/** 1536 → "1.5 KB" (decimal units, as file managers show). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Seconds left for an upload from where this run started; null until it can be measured. */
export function timeLeft(start: { at: number; from: number } | undefined, uploaded: number, size: number, now: number): number | null {
  if (!start) return null;
  const seconds = (now - start.at) / 1000;
  const sent = uploaded - start.from;
  if (seconds < 1 || sent <= 0 || uploaded >= size) return null;
  return Math.ceil(((size - uploaded) * seconds) / sent);
}
