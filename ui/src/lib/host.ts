// The one door to the backend. The app talks to a `Host`: the Tauri shell in the desktop app,
// an in-memory mock in a plain browser (`npm run dev`) and in the component tests.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { Commands, ErrorPayload, Progress, ProgressChannel } from './bindings';

export type CommandName = keyof Commands;
export type Args<K extends CommandName> = Commands[K]['args'];
export type Result<K extends CommandName> = Commands[K]['result'];

export interface Host {
  call<K extends CommandName>(cmd: K, args: Args<K>): Promise<Result<K>>;
  /** A channel for a long job's progress (an argument of commands like `fans_import`). */
  channel(onmessage: (progress: Progress) => void): ProgressChannel;
}

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
  channel(onmessage) {
    const channel = new Channel<Progress>();
    channel.onmessage = onmessage;
    return channel;
  },
};

export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
