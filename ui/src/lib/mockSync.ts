// The mock host's sync: a status that counts local changes until "Sync now", and conflicts seeded
// by the caller (screenshots, tests), resolved the engine's way (taking a side is an edit).
import type { AccountStatus, Channel, Conflict, ErrorPayload, SyncError, SyncProgress, SyncStatus } from './bindings';
import { HostError, type Args, type CommandName, type Result } from './host';

type SyncCommand = 'sync_now' | 'sync_cancel' | 'sync_status' | 'conflicts_list' | 'conflicts_resolve';
export type SyncHandlers = { [K in SyncCommand & CommandName]: (args: Args<K>) => Result<K> };

export interface MockSync {
  handlers: SyncHandlers;
  /** Called for every command: writes count as pending changes. */
  noteCall(cmd: string): void;
}

const WRITES = /_(create|update|delete|rename|add|erase|merge|tag|save|record_consent|set|use)$|^fans_(tag|merge|erase|record_consent)$/;

function fail(code: string, message: string, params: Record<string, string> = {}): never {
  throw new HostError({ code, message, params, issues: [] } satisfies ErrorPayload);
}

export function createMockSync(deps: {
  now: () => string;
  account: () => AccountStatus;
  channel: () => Channel<unknown> | null;
  conflicts?: Conflict[];
  /** Changes the "server" refused, shown in the status. */
  errors?: SyncError[];
  /** Statement files waiting to be sent / fetched; a sync moves them all. */
  statementFiles?: { toUpload: number; toDownload: number };
  /** Applies a resolved value to the mock's data (e.g. an artist's name). */
  apply?: (conflict: Conflict, value: unknown) => void;
}): MockSync {
  let pending = 0;
  let statementFiles = { toUpload: 0, toDownload: 0, ...deps.statementFiles };
  let lastSync: string | null = null;
  let conflicts: Conflict[] = structuredClone(deps.conflicts ?? []);

  const status = (): SyncStatus => {
    const account = deps.account().account;
    return {
      signed_in: account !== null,
      server: account?.server ?? null,
      last_sync: lastSync,
      pending_changes: pending,
      open_conflicts: conflicts.length,
      statement_files_to_download: statementFiles.toDownload,
      statement_files_to_upload: statementFiles.toUpload,
      errors: structuredClone(deps.errors ?? []),
    };
  };

  return {
    noteCall(cmd) {
      if (WRITES.test(cmd) && !cmd.startsWith('preferences_') && cmd !== 'workspace_use') pending++;
    },
    handlers: {
      sync_status: () => status(),
      sync_cancel: () => false,
      sync_now: () => {
        const account = deps.account().account;
        if (!account) fail('not_signed_in', 'not signed in to the platform');
        if (account.server.includes('offline')) fail('network', `cannot reach the platform server ${account.server}`, { server: account.server, reason: 'connection refused' });
        const channel = deps.channel() as Channel<SyncProgress> | null;
        const pushed = pending;
        const { toUpload, toDownload } = statementFiles;
        if (toUpload > 0) channel?.onmessage({ phase: 'files', done: toUpload, total: toUpload });
        channel?.onmessage({ phase: 'push', done: pushed, total: pushed });
        channel?.onmessage({ phase: 'pull', done: 0, total: 0 });
        if (toDownload > 0) channel?.onmessage({ phase: 'files', done: toDownload, total: toDownload });
        channel?.onmessage({ phase: 'done', done: pushed, total: pushed });
        pending = 0;
        statementFiles = { toUpload: 0, toDownload: 0 };
        lastSync = deps.now();
        return { pushed, pulled: 0, conflicts: conflicts.length, refused: [] };
      },
      conflicts_list: () => structuredClone(conflicts),
      conflicts_resolve: ({ id, take }) => {
        const conflict = conflicts.find((c) => c.id === id);
        if (!conflict) fail('not_found', `conflict ${id} not found`, { entity: 'conflict', id });
        const side = take === 'mine' ? conflict.mine : conflict.theirs;
        deps.apply?.(conflict, side.value);
        conflicts = conflicts.filter((c) => c.id !== id);
        pending++;
        return { ...conflict, applied: take };
      },
    },
  };
}

/** Sample conflicts for browser dev and screenshots (`?demo&conflicts`). */
export function demoConflicts(now = Date.now()): Conflict[] {
  const hlc = (minutesAgo: number, node: string) => `${String(now - minutesAgo * 60000).padStart(15, '0')}-00000-${node}`;
  const me = '0190f1a0-0000-7000-8000-0000000000f1';
  const ws = '0190f1a0-0000-7000-8000-0000000000a1';
  return [
    {
      id: '0190f1a0-0000-7000-8000-0000000000c1', workspace_id: ws, table: 'artists', pk: '0190f1a0-0000-7000-8000-000000000001', column: 'name',
      mine: { value: 'Jay Chou', hlc: hlc(42, 'desk'), user_id: me, this_device: true },
      theirs: { value: '周杰伦 Jay Chou', hlc: hlc(17, 'laptop'), user_id: me, this_device: false },
      applied: 'theirs',
    },
    {
      id: '0190f1a0-0000-7000-8000-0000000000c2', workspace_id: ws, table: 'releases', pk: '0190f1a0-0000-7000-8000-000000000002', column: 'upc',
      mine: { value: '036000291452', hlc: hlc(130, 'desk'), user_id: me, this_device: true },
      theirs: { value: '4006381333931', hlc: hlc(95, 'office'), user_id: '0190f1a0-0000-7000-8000-0000000000f2', this_device: false },
      applied: 'theirs',
    },
  ];
}
