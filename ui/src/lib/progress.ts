// A long job's speed and time left, from its counts and the clock (passed in, for tests).

export interface Rate {
  /** Lines per second, rounded; null until there is something to measure. */
  linesPerSecond: number | null;
  /** Seconds left, from the bytes read so far; null when unknown. */
  secondsLeft: number | null;
  /** 0..1 of the bytes read. */
  fraction: number;
}

export function rate(lines: number, bytesDone: number, bytesTotal: number, elapsedMs: number): Rate {
  const fraction = bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 0;
  if (elapsedMs < 200 || lines === 0) return { linesPerSecond: null, secondsLeft: null, fraction };
  const seconds = elapsedMs / 1000;
  const linesPerSecond = Math.round(lines / seconds);
  const secondsLeft = bytesDone > 0 && bytesTotal >= bytesDone ? Math.ceil(((bytesTotal - bytesDone) * seconds) / bytesDone) : null;
  return { linesPerSecond, secondsLeft, fraction };
}

/** Seconds as m:ss (or h:mm:ss). */
export function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
