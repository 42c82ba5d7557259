// What every e2e test of the real app shares: where the built binaries are, a private home for
// the app (store, WebKit data, config all in a temp dir), and screenshots taken once painted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
