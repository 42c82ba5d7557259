// The platform in the real app (tauri-driver + WebKitWebDriver under Xvfb) against a real
// `roadie-platform serve` on a throwaway PostgreSQL cluster: set the server URL, sign up (a short
// password is refused first, in words), see who is signed in and where the token is kept (the
// 0600 file: no D-Bus secret service here), upload a release's generated WAV master through the
// queue and see it complete, check on the server's HTTP API that the upload has the file's size
// and SHA-256 and belongs to the release, then in Chinese: sign out, and a translated server
// error (that e-mail address is taken).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fillSignUp, startLabel, newRelease } from './harness.mjs';
import { appWithPlatform } from './platform-server.mjs';
import { wavBytes } from './fixtures.mjs';

let session;
// No secret service in the test: the app must fall back to its 0600 file (and say so).
const { app, platform: running } = appWithPlatform('platform');
const shot = (name) => app.shot(name);
const step = (name, fn) => app.step(name, fn);

/** A 16-bit stereo PCM WAV: `seconds` of a 440 Hz tone. */
const wav = (seconds) => wavBytes({ seconds, freq: 440, amplitude: 0.37 });

const EMAIL = 'lin.qiao@example.com';
const PASSWORD = 'night ferry 2026';

test('sign up against a real platform, upload a release master, check it on the server, sign out', async () => {
  const platform = running();
  const master = path.join(app.sandbox.home, 'Night Ferry - 01 Harbor Lights.wav');
  const bytes = wav(3);
  fs.writeFileSync(master, bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');

  session = await app.start();
  let releaseId;

  await step('release', async () => {
    await startLabel(session, { label: 'Neon Harbor Records', artist: 'Lin Qiao' });
    await newRelease(session, 'Night Ferry');
  });

  await step('sign-up', async () => {
    await fillSignUp(session, { server: platform.base, name: 'Lin Qiao', email: EMAIL, password: 'short' });
    await session.waitFor('[data-testid="uploads-sign-in-first"]');
    // Where the token will be kept: the file, because no secret service answers.
    const where = await session.waitFor('[data-testid="account-token-store"]', { text: 'No system keychain' });
    assert.equal(await session.cmd('GET', `/element/${where}/attribute/data-kind`), 'file');
    await session.click('[data-testid="account-submit"]');
    await session.waitFor('[data-testid="field-error"][data-field="password"]', { text: 'Too short' });
    await shot('platform-sign-up-en');
    await session.setValue('[data-testid="account-password-input"]', PASSWORD);
    await session.click('[data-testid="account-submit"]');
    await session.waitFor('[data-testid="account-who"]', { text: EMAIL });
    assert.equal(await session.textOf('[data-testid="account-workspace"]'), 'Lin Qiao');
    assert.equal(await session.textOf('[data-testid="account-server"]'), platform.base);
    const secrets = `${app.sandbox.db}.secrets.json`;
    assert.equal(fs.statSync(secrets).mode & 0o777, 0o600, 'the token file is private');
  });

  await step('upload', async () => {
    await session.waitFor('[data-testid="uploads-empty"]');
    releaseId = await session.exec(
      'return [...document.querySelectorAll(\'[data-testid="uploads-release"] option\')].find(o => o.textContent.trim() === "Night Ferry").value',
    );
    assert.match(releaseId, /^[0-9a-f-]{36}$/);
    await session.select('[data-testid="uploads-release"]', releaseId);
    const input = await session.waitFor('[data-testid="uploads-file"]');
    await session.cmd('POST', `/element/${input}/value`, { text: master });
    await session.waitFor('[data-testid="upload-item"][data-status="complete"]', { timeout: 60000 });
    assert.equal(await session.textOf('[data-testid="upload-status"]'), 'Uploaded');
    assert.match(await session.textOf('[data-testid="upload-bytes"]'), /^529 KB of 529 KB$/);
    await session.exec('document.querySelector(\'[data-testid="uploads-card"]\').scrollIntoView()');
    await shot('platform-upload-complete-en');
  });

  await step('server', async () => {
    // What the server holds, through its own API with a token of our own.
    const login = await platform.api('POST', '/v1/auth/login', { body: { email: EMAIL, password: PASSWORD } });
    assert.equal(login.status, 200);
    const token = login.json.token;
    const me = await platform.api('GET', '/v1/me', { token });
    const assets = await platform.api('GET', `/v1/workspaces/${me.json.workspace_id}/assets`, { token });
    assert.equal(assets.status, 200);
    assert.equal(assets.json.length, 1);
    const [asset] = assets.json;
    assert.equal(asset.kind, 'master');
    assert.equal(asset.filename, path.basename(master));
    assert.equal(asset.size, bytes.length);
    assert.equal(asset.sha256, sha256);
    assert.equal(asset.release_id, releaseId);
  });

  await step('chinese', async () => {
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.waitFor('[data-testid="upload-status"]', { text: '已上传' });
    await session.waitFor('[data-testid="account-card"]', { text: '平台账户' });
    await session.exec('document.querySelector(\'[data-testid="uploads-card"]\').scrollIntoView()');
    await shot('platform-upload-complete-zh');
  });

  await step('sign-out', async () => {
    await session.click('[data-testid="account-sign-out"]');
    await session.waitFor('[data-testid="account-notice"]', { text: '已退出登录' });
    await session.waitFor('[data-testid="uploads-sign-in-first"]');
    assert.ok(!fs.existsSync(`${app.sandbox.db}.secrets.json`), 'the token is forgotten');
    // The server's error for a taken address, translated.
    // The server and e-mail address stay filled in after signing out.
    assert.equal(await session.exec('return document.querySelector(\'[data-testid="account-server-input"]\').value'), platform.base);
    await session.click('[data-testid="account-mode-sign-up"]');
    await session.setValue('[data-testid="account-name-input"]', 'Lin Qiao');
    await session.setValue('[data-testid="account-email-input"]', EMAIL);
    await session.setValue('[data-testid="account-password-input"]', PASSWORD);
    await session.click('[data-testid="account-submit"]');
    await session.waitFor('[data-testid="account-card"] [data-testid="error-banner"]', { text: '该邮箱已注册账户' });
    await shot('platform-error-zh');
  });
});
