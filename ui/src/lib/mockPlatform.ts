// The mock host's platform: accounts on an in-memory "server" and an upload queue that completes
// at once, with the engine's validations and error codes (see crates/roadie/src/platform).
import type { AccountStatus, Channel, ErrorPayload, FieldIssue, UploadQueueItem, UploadQueueStatus } from './bindings';
import { HostError, type Args, type CommandName, type Result } from './host';

type PlatformCommand =
  | 'account_get'
  | 'account_sign_in'
  | 'account_sign_up'
  | 'account_sign_out'
  | 'uploads_list'
  | 'uploads_add'
  | 'uploads_add_release'
  | 'uploads_add_bytes'
  | 'uploads_pick'
  | 'uploads_pause'
  | 'uploads_resume'
  | 'uploads_cancel'
  | 'uploads_clear'
  | 'uploads_run';

export type PlatformHandlers = { [K in PlatformCommand & CommandName]: (args: Args<K>) => Result<K> };

function fail(code: string, message: string, params: Record<string, string> = {}, issues: FieldIssue[] = []): never {
  throw new HostError({ code, message, params, issues } satisfies ErrorPayload);
}

function uuid(): string {
  return globalThis.crypto?.randomUUID?.() ?? `00000000-0000-4000-8000-${String(Date.now()).padStart(12, '0').slice(-12)}`;
}

function kind(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  if (['wav', 'flac', 'aif', 'aiff', 'mp3', 'm4a', 'alac', 'ogg', 'opus', 'wv'].includes(ext)) return 'master';
  if (['jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp'].includes(ext)) return 'artwork';
  return 'other';
}

export function createMockPlatform(now: () => string, files: () => Record<string, string>): PlatformHandlers {
  const users = new Map<string, { password: string; name: string; user_id: string; workspace_id: string }>();
  let status: AccountStatus = {
    account: null,
    secret_store: { kind: 'file', location: '/home/you/.local/share/roadie/roadie.sqlite.secrets.json', fallback_reason: 'no D-Bus session bus' },
  };
  let queue: UploadQueueItem[] = [];

  const normaliseServer = (server: string): string => {
    const s = server.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(s) || s.length < 10) {
      fail('invalid_input', 'invalid account: server: the server URL must start with http:// or https://', { entity: 'account' }, [
        { field: 'server', reason: 'invalid_url', detail: 'the server URL must start with http:// or https://' },
      ]);
    }
    if (s.includes('offline')) fail('network', `cannot reach the platform server ${s}`, { server: s, reason: 'connection refused' });
    return s;
  };

  const signedIn = (server: string, email: string) => {
    const user = users.get(email)!;
    status = {
      ...status,
      account: { server, email, name: user.name, user_id: user.user_id, workspace_id: user.workspace_id, workspace_name: user.name, token_location: status.secret_store.location },
    };
    return structuredClone(status);
  };

  const item = (id: string) => queue.find((i) => i.id === id) ?? fail('not_found', `upload ${id} not found`, { entity: 'upload', id });

  const move = (id: string, from: UploadQueueStatus[], to: UploadQueueStatus): UploadQueueItem => {
    const it = item(id);
    if (it.status === to) return { ...it };
    if (!from.includes(it.status)) {
      fail('invalid_input', `invalid upload: status: cannot go from ${it.status} to ${to}`, { entity: 'upload' }, [
        { field: 'status', reason: 'not_allowed', detail: `cannot go from ${it.status} to ${to}` },
      ]);
    }
    Object.assign(it, { status: to, updated_at: now(), ...(to === 'queued' ? { attempts: 0, error: null } : {}) });
    return { ...it };
  };

  const enqueue = (release_id: string | null, entries: { path: string; size: number }[]): UploadQueueItem[] => {
    const account = status.account ?? fail('not_signed_in', 'not signed in to a platform');
    return entries.map(({ path, size }) => {
      const waiting = queue.find((i) => i.path === path && i.release_id === release_id && ['queued', 'uploading', 'paused', 'failed'].includes(i.status));
      if (waiting) return { ...waiting };
      const name = path.split('/').pop() ?? path;
      const it: UploadQueueItem = {
        id: uuid(),
        server: account.server,
        release_id,
        path,
        name,
        kind: kind(name),
        size,
        uploaded: 0,
        status: 'queued',
        sha256: null,
        error: null,
        attempts: 0,
        created_at: now(),
        updated_at: now(),
      };
      queue.push(it);
      return { ...it };
    });
  };

  return {
    account_get: () => structuredClone(status),
    account_sign_in: ({ server, email, password }) => {
      const s = normaliseServer(server);
      const e = email.trim().toLowerCase();
      const user = users.get(e);
      if (!user || user.password !== password) fail('wrong_credentials', 'wrong e-mail or password');
      return signedIn(s, e);
    },
    account_sign_up: ({ server, email, password, name }) => {
      const s = normaliseServer(server);
      const e = email.trim().toLowerCase();
      const issues: FieldIssue[] = [];
      if (!e.includes('@')) issues.push({ field: 'email', reason: 'invalid_email', detail: 'an e-mail address has an @' });
      if (!name.trim()) issues.push({ field: 'name', reason: 'required', detail: 'a name is required' });
      if ([...password].length < 8) issues.push({ field: 'password', reason: 'too_short', detail: 'at least 8 characters' });
      if (issues.length) fail('invalid_input', 'invalid account', { entity: 'account' }, issues);
      if (users.has(e)) {
        fail('platform_refused', 'the platform refused (409 email_taken): an account with this e-mail address exists', {
          status: '409',
          platform_code: 'email_taken',
          message: 'an account with this e-mail address exists',
        });
      }
      users.set(e, { password, name: name.trim(), user_id: uuid(), workspace_id: uuid() });
      return signedIn(s, e);
    },
    account_sign_out: () => {
      const server = status.account?.server ?? null;
      status = { ...status, account: null };
      return { revoked_on_server: server !== null, server };
    },
    uploads_list: () => queue.map((i) => ({ ...i })),
    uploads_add: ({ release_id, paths }) =>
      enqueue(
        release_id,
        paths.map((path) => {
          const text = files()[path];
          if (text === undefined) fail('io', `${path}: no such file`);
          return { path, size: new TextEncoder().encode(text).length };
        }),
      ),
    uploads_add_release: () =>
      fail('invalid_input', 'invalid upload: files: the release has no masters or artwork attached', { entity: 'upload' }, [
        { field: 'files', reason: 'no_assets', detail: 'the release has no masters or artwork attached' },
      ]),
    uploads_add_bytes: ({ release_id, file_name, bytes }) => enqueue(release_id, [{ path: `/tmp/roadie-uploads/${uuid()}/${file_name}`, size: bytes.length }]),
    uploads_pick: () => [],
    uploads_pause: ({ id }) => move(id, ['queued', 'uploading'], 'paused'),
    uploads_resume: ({ id }) => move(id, ['paused', 'failed'], 'queued'),
    uploads_cancel: ({ id }) => move(id, ['queued', 'uploading', 'paused', 'failed'], 'cancelled'),
    uploads_clear: () => {
      const before = queue.length;
      queue = queue.filter((i) => i.status !== 'complete' && i.status !== 'cancelled');
      return before - queue.length;
    },
    uploads_run: ({ on_change }: { on_change: Channel<UploadQueueItem> }) => {
      let done = 0;
      for (const it of queue.filter((i) => i.status === 'queued')) {
        if (!status.account) {
          Object.assign(it, { status: 'failed', error: { code: 'not_signed_in', message: 'not signed in', params: {}, issues: [] } });
          on_change.onmessage({ ...it });
          continue;
        }
        Object.assign(it, { status: 'uploading', uploaded: Math.floor(it.size / 2), updated_at: now() });
        on_change.onmessage({ ...it });
        Object.assign(it, { status: 'complete', uploaded: it.size, sha256: '0'.repeat(64), updated_at: now() });
        on_change.onmessage({ ...it });
        done++;
      }
      return done;
    },
  };
}
