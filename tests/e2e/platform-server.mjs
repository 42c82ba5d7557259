// A real platform for an e2e test: a throwaway PostgreSQL cluster (initdb + postgres on a free
// loopback port; as root it runs as the `roadie-pg` user, since PostgreSQL refuses root — the
// same way platform/tests/common does it) and `roadie-platform serve` on another free port.
// `stop()` ends both and removes the cluster's files (again: nothing more).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { platformServer, appUnderTest, cli } from './harness.mjs';

const PG_USER = 'roadie-pg';
const pgBin = (name) => path.join(process.env.ROADIE_PG_BIN ?? '/usr/lib/postgresql/15/bin', name);
const isRoot = () => process.getuid?.() === 0;

/** [program, args] run as roadie-pg when we are root. */
function asPgUser(program, args) {
  return isRoot() ? ['setpriv', [`--reuid=${PG_USER}`, `--regid=${PG_USER}`, '--init-groups', '--', program, ...args]] : [program, args];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntil(what, check, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await check();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function startPlatform() {
  assert.ok(fs.existsSync(platformServer), `build the platform first (cargo build -p roadie-platform): ${platformServer} is missing`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roadie-e2e-pg-'));
  if (isRoot()) execFileSync('chown', [`${PG_USER}:${PG_USER}`, dir]);
  const data = path.join(dir, 'data');
  const [initdb, initArgs] = asPgUser(pgBin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
  execFileSync(initdb, initArgs, { stdio: 'pipe' });
  const pgPort = await freePort();
  const pgLog = fs.openSync(path.join(dir, 'postgres.log'), 'w');
  const [pgProg, pgArgs] = asPgUser(pgBin('postgres'), ['-D', data, '-p', String(pgPort), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off']);
  const postgres = spawn(pgProg, pgArgs, { stdio: ['ignore', pgLog, pgLog] });
  let pgExited = false;
  postgres.on('exit', () => (pgExited = true));
  await waitUntil('postgres', () => {
    if (pgExited) throw new Error(`postgres exited: ${fs.readFileSync(path.join(dir, 'postgres.log'), 'utf8')}`);
    try {
      execFileSync(pgBin('pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-q']);
      return true;
    } catch {
      return false;
    }
  });

  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'roadie-e2e-objects-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverLog = '';
  const server = spawn(platformServer, ['serve', '--listen', `127.0.0.1:${port}`, '--database-url', `postgres://postgres@127.0.0.1:${pgPort}/postgres`, '--storage', storage], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ROADIE_PLATFORM_LOG: 'warn' },
  });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitUntil('roadie-platform', async () => {
    if (server.exitCode !== null) throw new Error(`roadie-platform exited: ${serverLog}`);
    try {
      return (await fetch(`${base}/health`)).ok;
    } catch {
      return false;
    }
  });

  const stopped = (child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
  return {
    base,
    log: () => serverLog,
    /** A JSON call to the platform's HTTP API. */
    async api(method, route, { token, body } = {}) {
      const res = await fetch(`${base}${route}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async stop() {
      server.kill('SIGTERM');
      await stopped(server);
      postgres.kill('SIGINT'); // fast shutdown
      await Promise.race([stopped(postgres), new Promise((r) => setTimeout(r, 20000))]);
      if (postgres.exitCode === null && postgres.signalCode === null) postgres.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}

/**
 * The app under test beside a platform server of its own (started before the app, stopped after
 * it; its log is added to a failing step's error). No secret service answers, so the app keeps its
 * token in its 0600 file. `needsCli`: the test also drives the CLI (checked built up front).
 * `platform()` is the running server.
 */
export function appWithPlatform(prefix, { needsCli = false } = {}) {
  let platform;
  const app = appUnderTest(prefix, {
    env: { DBUS_SESSION_BUS_ADDRESS: '' },
    prepare: async () => {
      if (needsCli) assert.ok(fs.existsSync(cli), `build the CLI first (cargo build -p roadie-cli): ${cli} is missing`);
      platform = await startPlatform();
    },
    cleanup: async () => {
      if (platform) await platform.stop();
    },
    extraLog: () => `--- platform log ---\n${platform.log().slice(-2000)}`,
  });
  return { app, platform: () => platform };
}
