// Sync in the shell: the status the sidebar shows, "Sync now" with progress, a timer while
// signed in, and a reload of the screen's lists after a sync that pulled changes.
import { getContext, setContext } from 'svelte';
import type { SyncProgress, SyncReport, SyncStatus } from './bindings';
import type { AppState } from './app.svelte';
import { errorMessage } from './i18n';
import { HostError } from './host';

/** How often the desktop syncs on its own while signed in. */
export const SYNC_INTERVAL_MS = 2 * 60 * 1000;

export class SyncState {
  readonly app: AppState;
  status = $state<SyncStatus | null>(null);
  syncing = $state(false);
  progress = $state<SyncProgress | null>(null);
  /** The last "Sync now" failure, translated; the code tells offline from other errors. */
  error = $state<{ code: string; message: string } | null>(null);
  lastReport = $state<SyncReport | null>(null);
  private jobId: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;

  constructor(app: AppState) {
    this.app = app;
  }

  get offline(): boolean {
    return this.error?.code === 'network';
  }

  get conflicts(): number {
    return this.status?.open_conflicts ?? 0;
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.app.host.call('sync_status', {});
    } catch {
      // The store may be switching; the next refresh will tell.
    }
  }

  /** Syncs now (the button or the timer); a sync already running is not started twice. */
  async syncNow(): Promise<SyncReport | null> {
    if (this.syncing) return null;
    this.syncing = true;
    this.progress = null;
    const jobId = `sync-${Date.now()}`;
    this.jobId = jobId;
    try {
      const report = await this.app.host.call('sync_now', {
        job_id: jobId,
        on_sync: this.app.host.channel<SyncProgress>((p) => (this.progress = p)),
      });
      this.lastReport = report;
      this.error = null;
      if (report.pulled > 0) {
        await this.app.loadArtists();
        this.app.refresh();
      }
      return report;
    } catch (e) {
      this.error = { code: HostError.from(e).code, message: errorMessage(e) };
      return null;
    } finally {
      this.syncing = false;
      this.jobId = null;
      this.progress = null;
      await this.refreshStatus();
    }
  }

  async cancel(): Promise<void> {
    if (this.jobId) await this.app.host.call('sync_cancel', { job_id: this.jobId });
  }

  /** Syncs every `intervalMs` while signed in (the desktop; never in the mock). */
  startTimer(intervalMs = SYNC_INTERVAL_MS): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      if (this.status?.signed_in) void this.syncNow();
      else void this.refreshStatus();
    }, intervalMs);
    // Pending changes follow edits made anywhere (a cheap local count).
    this.statusTimer = setInterval(() => {
      if (!this.syncing) void this.refreshStatus();
    }, 10_000);
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.timer = null;
    this.statusTimer = null;
  }
}

const KEY = Symbol('roadie-sync');

export function provideSync(sync: SyncState): SyncState {
  return setContext(KEY, sync);
}

export function useSync(): SyncState {
  const sync = getContext<SyncState | undefined>(KEY);
  if (!sync) throw new Error('useSync() outside <App>');
  return sync;
}

/** The wall time of an HLC stamp (`<millis:15>-<counter>-<node>`), or null. */
export function hlcTime(hlc: string): Date | null {
  const ms = Number(hlc.slice(0, 15));
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
}

/** A conflict value as text: strings as is, null as empty, anything else as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
