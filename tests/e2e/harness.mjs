// What every e2e test of the real app shares: where the built binaries are, a private home for
// the app (store, WebKit data, config all in a temp dir), and screenshots taken once painted.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDriver, Session } from './webdriver.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(here, '../../target');
export const application = process.env.ROADIE_APP ?? path.join(targetDir, 'debug/roadie-desktop');
export const cli = process.env.ROADIE_CLI ?? path.join(targetDir, 'debug/roadie');
export const platformServer = process.env.ROADIE_PLATFORM ?? path.join(targetDir, 'debug/roadie-platform');
export const artifacts = path.join(here, 'artifacts');

/** A temp home for one test file: `env` is what tauri-driver passes on to the app. */
export function privateHome(prefix) {
  assert.ok(fs.existsSync(application), `build the app first: ${application} is missing`);
  fs.mkdirSync(artifacts, { recursive: true });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = path.join(home, 'store.sqlite');
  const env = {
    ROADIE_DB: db,
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
  };
  return { home, db, env, remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** Saves a screenshot as artifacts/NAME.png. WebKit's screenshot can show the frame before the
 * last change: two frames are let paint first. */
export async function saveScreenshot(session, name) {
  await session.cmd('POST', '/execute/async', {
    script: 'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));',
    args: [],
  });
  fs.writeFileSync(path.join(artifacts, `${name}.png`), await session.screenshot());
}

/** The CLI on the store `db`, JSON out. The test runner's own ROADIE_DB is not passed on. */
export function cliOn(db) {
  return (...args) => {
    const env = { ...process.env };
    delete env.ROADIE_DB;
    return JSON.parse(execFileSync(cli, ['--db', db, '--json', ...args], { encoding: 'utf8', env }));
  };
}

/** From the welcome screen: a label workspace, and one artist on its roster. */
export async function startLabel(session, { label, artist }) {
  await session.waitFor('[data-testid="welcome"]');
  await session.type('[data-testid="workspace-name"]', label);
  await session.click('[data-testid="workspace-kind-label"]');
  await session.click('[data-testid="workspace-create"]');
  await session.click('[data-testid="nav-roster"]');
  await session.click('[data-testid="artist-add"]');
  await session.type('[data-testid="artist-name"]', artist);
  await session.click('[data-testid="artist-save"]');
  await session.waitFor('[data-testid="artist-row"]', { text: artist });
}

/** A new release by the roster's first artist, saved; waits for the editor's track section. */
export async function newRelease(session, title) {
  await session.click('[data-testid="nav-releases"]');
  await session.click('[data-testid="release-new"]');
  await session.type('[data-testid="release-title"]', title);
  await session.click('[data-testid="release-artist"]');
  await session.click('[data-testid="release-save"]');
  await session.waitFor('[data-testid="track-title"]');
}

/** Opens Settings and fills the account card's sign-up form (the caller submits it). */
export async function fillSignUp(session, { server, name, email, password }) {
  await session.click('[data-testid="nav-settings"]');
  await session.waitFor('[data-testid="account-card"]');
  await session.type('[data-testid="account-server-input"]', server);
  await session.click('[data-testid="account-mode-sign-up"]');
  await session.type('[data-testid="account-name-input"]', name);
  await session.type('[data-testid="account-email-input"]', email);
  await session.type('[data-testid="account-password-input"]', password);
}

/** Signs up in Settings → Account and waits until the card shows the signed-in address. */
export async function signUp(session, account) {
  await fillSignUp(session, account);
  await session.click('[data-testid="account-submit"]');
  await session.waitFor('[data-testid="account-who"]', { text: account.email });
}

/** Removes a private home; the app may still be writing its shader cache as it exits, so a
 * failure is retried briefly. */
async function removeHome(sandbox) {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      sandbox?.remove();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/**
 * The app under test for one test file: registers the hooks that make a private home, run
 * `prepare(sandbox)` (seed the store, start a server), start tauri-driver with the home's
 * environment plus `env`, and at the end quit the session, stop the driver, run `cleanup()` and
 * remove the home. `app.start()` opens a session on the app; `app.shot(name)` saves a
 * screenshot; `app.step(name, fn)` runs fn and, when it fails, saves `<prefix>-<name>-failure`
 * and adds the driver's log (and `extraLog()`, e.g. a server's) to the error.
 */
export function appUnderTest(prefix, { env = {}, prepare, cleanup, extraLog } = {}) {
  const app = {
    sandbox: undefined,
    driver: undefined,
    session: undefined,
    async start() {
      this.session = await Session.start(this.driver.url, application);
      return this.session;
    },
    async quit() {
      await this.session?.quit();
      this.session = undefined;
    },
    shot(name) {
      return saveScreenshot(this.session, name);
    },
    async step(name, fn) {
      try {
        await fn();
      } catch (e) {
        await this.shot(`${prefix}-${name}-failure`).catch(() => {});
        const extra = extraLog ? `\n${extraLog()}` : '';
        throw new Error(`${name}: ${e.message}\n--- tauri-driver log ---\n${this.driver.log().slice(-3000)}${extra}`);
      }
    },
  };
  before(async () => {
    app.sandbox = privateHome(`roadie-e2e-${prefix}-`);
    if (prepare) await prepare(app.sandbox);
    app.driver = await startDriver({ ...app.sandbox.env, ...env });
  });
  after(async () => {
    if (app.session) await app.session.quit().catch(() => {});
    if (app.driver) await app.driver.stop();
    if (cleanup) await cleanup();
    await removeHome(app.sandbox);
  });
  return app;
}
