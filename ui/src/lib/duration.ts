// Track durations: stored as integer milliseconds, typed and shown as m:ss (or h:mm:ss).

export function formatDuration(ms: number | null): string {
  if (ms === null || ms === undefined) return '';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Parses "3:45", "1:02:03", "225" (seconds) or "3:45.5" into milliseconds.
 * Empty text is `null` (no duration); text that is not a duration is `undefined`.
 */
export function parseDuration(text: string): number | null | undefined {
  const value = text.trim();
  if (!value) return null;
  const parts = value.split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return undefined;
  const nums = parts.map(Number);
  const seconds = nums.pop()!;
  if (nums.length > 0 && seconds >= 60) return undefined;
  const minutes = nums.pop() ?? 0;
  if (nums.length > 0 && minutes >= 60) return undefined;
  const hours = nums.pop() ?? 0;
  if (!Number.isInteger(minutes) || !Number.isInteger(hours)) return undefined;
  return Math.round((hours * 3600 + minutes * 60 + seconds) * 1000);
}
