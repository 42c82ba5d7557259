// The real Roadie app, driven through tauri-driver + WebKitWebDriver under Xvfb: a label is
// created, an artist joins its roster, a release gets two tracks, the UI switches to Chinese,
// and after a restart on the same store everything is still there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest } from './harness.mjs';

let session;
const app = appUnderTest('app');
const shot = (name) => app.shot(name);
const step = (name, fn) => app.step(name, fn);

test('a label keeps its roster and releases across a restart, in English and Chinese', async () => {
  session = await app.start();

  await step('create', async () => {
    // First run: create the label workspace.
    await session.waitFor('[data-testid="welcome"]');
    await session.type('[data-testid="workspace-name"]', 'Neon Harbor Records');
    await session.click('[data-testid="workspace-kind-label"]');
    await session.click('[data-testid="workspace-create"]');

    // Add an artist to the roster.
    await session.click('[data-testid="nav-roster"]');
    await session.click('[data-testid="artist-add"]');
    await session.type('[data-testid="artist-name"]', 'Lin Qiao');
    await session.type('[data-testid="artist-other-name"]', '林巧');
    await session.type('[data-testid="artist-other-language"]', 'zh-Hans');
    await session.type('[data-testid="artist-country"]', 'CN');
    await session.click('[data-testid="artist-save"]');
    await session.waitFor('[data-testid="artist-row"]', { text: 'Lin Qiao' });

    // A release with two tracks.
    await session.click('[data-testid="nav-releases"]');
    await session.click('[data-testid="release-new"]');
    await session.type('[data-testid="release-title"]', 'Night Ferry');
    await session.select('[data-testid="release-type"]', 'album');
    await session.click('[data-testid="release-artist"]');
    await session.setValue('[data-testid="release-date"]', '2026-12-04');
    await session.click('[data-testid="release-save"]');
    await session.waitFor('[data-testid="track-title"]');
    await session.type('[data-testid="track-title"]', 'Harbor Lights');
    await session.click('[data-testid="track-add"]');
    await session.waitForCount('[data-testid="track-row"]', 1);
    await session.type('[data-testid="track-title"]', 'Last Boat Home');
    await session.click('[data-testid="track-add"]');
    await session.waitForCount('[data-testid="track-row"]', 2);
    await session.waitFor('[data-testid="track-row"]', { text: 'Last Boat Home' });
    await shot('release-editor-en');

    await session.click('[data-testid="release-back"]');
    await session.waitFor('[data-testid="release-row"]', { text: 'Night Ferry' });
    await shot('releases-en');
  });

  await step('language', async () => {
    // Switch to Simplified Chinese: the UI changes at once.
    const before = await session.textOf('[data-testid="nav-releases"]');
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.waitFor('[data-testid="nav-releases"]', { text: '发行' });
    assert.notEqual(await session.textOf('[data-testid="nav-releases"]'), before);
    assert.equal(await session.exec('return document.documentElement.lang'), 'zh-CN');
    await shot('settings-zh');
  });

  // Quit, start again on the same store.
  await session.quit();
  session = await app.start();

  await step('restart', async () => {
    await session.waitFor('[data-testid="nav-releases"]', { text: '发行' });
    const switcher = await session.textOf('[data-testid="workspace-switcher"]');
    assert.match(switcher, /Neon Harbor Records/);
    await session.click('[data-testid="nav-roster"]');
    await session.waitFor('[data-testid="artist-row"]', { text: '林巧' });
    await session.click('[data-testid="nav-releases"]');
    await session.waitFor('[data-testid="release-row"]', { text: 'Night Ferry' });
    await session.click('[data-testid="release-row"] a');
    await session.waitForCount('[data-testid="track-row"]', 2);
    await session.waitFor('[data-testid="track-row"]', { text: 'Harbor Lights' });
    assert.equal(await session.exec('return document.querySelector(\'[data-testid="release-date"]\').value'), '2026-12-04');
    await shot('release-editor-zh-after-restart');
  });
});
