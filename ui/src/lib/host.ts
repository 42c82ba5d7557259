// The one door to the backend. The app talks to a `Host`: the Tauri shell in the desktop app,
// an in-memory mock in a plain browser (`npm run dev`) and in the component tests.
import { Channel as TauriChannel, invoke } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { Channel, Commands, ErrorPayload, Progress, ProgressChannel } from './bindings';

export type CommandName = keyof Commands;
export type Args<K extends CommandName> = Commands[K]['args'];
export type Result<K extends CommandName> = Commands[K]['result'];

export interface Host {
  call<K extends CommandName>(cmd: K, args: Args<K>): Promise<Result<K>>;
  /** A channel for a fan import's progress (the `progress` argument of `fans_import`). */
  progressChannel(onmessage: (progress: Progress) => void): ProgressChannel;
  /** A progress channel to pass to a long command (`on_progress`). */
  channel<T>(onmessage: (message: T) => void): Channel<T>;
  /**
   * Calls `handler` with the paths of files dropped on the window (the shell's drag and drop).
   * Resolves to a function that stops listening.
   */
  onFileDrop(handler: (event: FileDropEvent) => void): Promise<() => void>;
}

/** Files dragged over the window (`over`, to highlight the drop zone), dropped, or dragged away. */
export type FileDropEvent = { kind: 'over' } | { kind: 'drop'; paths: string[] } | { kind: 'leave' };

/** A failed command, carrying the engine's payload (stable `code`, `params`, field `issues`). */
export class HostError extends Error {
  readonly payload: ErrorPayload;

  constructor(payload: ErrorPayload) {
    super(payload.message || payload.code);
    this.name = 'HostError';
    this.payload = payload;
  }

  get code(): string {
    return this.payload.code;
  }

  static from(error: unknown): HostError {
    if (error instanceof HostError) return error;
    if (isPayload(error)) return new HostError(normalizePayload(error));
    // Tauri rejects with a bare string when a command cannot even be called (bad arguments,
    // unknown command): keep the text as the message, under a code nothing translates.
    const message = error instanceof Error ? error.message : String(error);
    return new HostError({ code: 'unknown', message, params: {}, issues: [] });
  }
}

function isPayload(value: unknown): value is Partial<ErrorPayload> & { code: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

function normalizePayload(value: Partial<ErrorPayload> & { code: string }): ErrorPayload {
  return {
    code: value.code,
    message: value.message ?? '',
    params: value.params ?? {},
    issues: value.issues ?? [],
  };
}

export const tauriHost: Host = {
  async call(cmd, args) {
    try {
      return await invoke(cmd, args as Record<string, unknown>);
    } catch (error) {
      throw HostError.from(error);
    }
  },
  progressChannel(onmessage) {
    const channel = new TauriChannel<Progress>();
    channel.onmessage = onmessage;
    return channel;
  },
  channel<T>(onmessage: (message: T) => void): Channel<T> {
    const channel = new TauriChannel<T>();
    channel.onmessage = onmessage;
    return channel;
  },
  async onFileDrop(handler) {
    return getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === 'drop') handler({ kind: 'drop', paths: p.paths });
      else if (p.type === 'leave') handler({ kind: 'leave' });
      else handler({ kind: 'over' });
    });
  },
};

export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
