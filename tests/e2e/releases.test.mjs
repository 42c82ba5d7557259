// The release builder in the real app (tauri-driver + WebKitWebDriver under Xvfb): a new release
// gets two generated masters (one fine, one at 22.05 kHz and clipped) and a 600×600 cover through
// the editor's file inputs; the engine analyses them, the tracks show their badges and the
// readiness checklist lists the problems; a click on an item focuses its field; filling the UPC
// and replacing the cover with a 3000×3000 one clears those items. Screenshots in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { cli, cliOn, appUnderTest } from './harness.mjs';
import { writeWav } from './fixtures.mjs';

let db;
let session;
const app = appUnderTest('releases', {
  prepare: async (sandbox) => {
    db = sandbox.db;
    assert.ok(fs.existsSync(cli), `build the CLI first (cargo build -p roadie-cli): ${cli} is missing`);
    roadie('workspace', 'create', '--kind', 'label', '--name', 'Harbour Records');
    roadie('artist', 'add', 'Lin Qiao');
  },
});
const shot = (name) => app.shot(`releases-${name}`);
const step = (name, fn) => app.step(name, fn);

function roadie(...args) {
  return cliOn(db)(...args);
}


const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGB PNG of `size`×`size`: a diagonal gradient (compresses well, still looks like a cover). */
function writePng(file, size) {
  const row = 1 + size * 3;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * row + 1 + x * 3;
      raw[o] = 255 - Math.floor((y * 160) / size);
      raw[o + 1] = 90 + Math.floor((x * 60) / size);
      raw[o + 2] = 60 + Math.floor(((x + y) * 80) / size);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  fs.writeFileSync(file, png);
}

/** The checklist's items as "code@track" (read from attributes, so language does not matter). */
async function problems() {
  return session.exec(
    `return [...document.querySelectorAll('[data-testid="readiness-item"]')].map((b) => b.dataset.code + (b.dataset.track ? '@' + b.dataset.track : ''));`,
  );
}

async function waitForProblems(predicate, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last = [];
  while (Date.now() < deadline) {
    const checking = await session.exec(`return !!document.querySelector('[data-testid="readiness-checking"]');`);
    last = await problems();
    if (!checking && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`checklist never ${what} (items: ${JSON.stringify(last)})`);
}

async function upload(testid, file) {
  const input = await session.find(`[data-testid="${testid}"]`);
  await session.cmd('POST', `/element/${input}/value`, { text: file });
}

test('masters and a cover go into a new release; the checklist lists the problems and clears as they are fixed', async () => {
  const good = path.join(app.sandbox.home, '01 Harbour Lights.wav');
  const bad = path.join(app.sandbox.home, '02 Low Tide.wav');
  const smallCover = path.join(app.sandbox.home, 'cover-small.png');
  const bigCover = path.join(app.sandbox.home, 'cover-3000.png');
  writeWav(good, { rate: 44100, seconds: 2, amplitude: 0.25 });
  writeWav(bad, { rate: 22050, seconds: 2, amplitude: 1.6 }); // 22.05 kHz and clipped
  writePng(smallCover, 600);
  writePng(bigCover, 3000);
  session = await app.start();

  await step('create', async () => {
    await session.click('[data-testid="nav-releases"]');
    await session.click('[data-testid="release-new"]');
    await session.type('[data-testid="release-title"]', 'Low Tide');
    await session.select('[data-testid="release-type"]', 'ep');
    await session.click('[data-testid="release-artist"]');
    await session.type('[data-testid="release-pline"]', 'Harbour Records');
    await session.type('[data-testid="release-cline"]', 'Harbour Records');
    await session.type('[data-testid="release-genre"]', 'Pop');
    await session.type('[data-testid="release-language"]', 'zh-Hans');
    await session.click('[data-testid="release-save"]');
    await session.waitFor('[data-testid="readiness-summary"]');
    const items = await waitForProblems((p) => p.includes('no_tracks'), 'listed no_tracks');
    assert.ok(items.includes('missing_upc'), `missing_upc listed: ${items}`);
    assert.ok(items.includes('missing_artwork'), `missing_artwork listed: ${items}`);
  });

  await step('masters', async () => {
    await upload('release-files-input', good);
    await session.waitForCount('[data-testid="track-row"]', 1, 30000);
    await upload('release-files-input', bad);
    await session.waitForCount('[data-testid="track-row"]', 2, 30000);
    await session.waitFor('[data-testid="track-row"]', { text: 'Low Tide' });
    await upload('artwork-input', smallCover);
    await session.waitFor('[data-testid="artwork-thumb"]', { timeout: 30000 });
    const items = await waitForProblems(
      (p) => p.includes('artwork_too_small') && p.includes('low_sample_rate@2') && !p.includes('no_tracks'),
      'listed the problems of the files',
    );
    assert.ok(items.includes('clipping@2'), `the clipped master is flagged: ${items}`);
    assert.ok(!items.some((p) => p.startsWith('low_sample_rate@1') || p.startsWith('clipping@1')), `the good master is not: ${items}`);
    // Badges: the 22.05 kHz master's format badge is marked bad; the good one's is fine.
    const verdicts = await session.exec(
      `return [...document.querySelectorAll('[data-testid="track-row"]')].map((r) => r.querySelector('[data-testid="badge-format"]')?.dataset.verdict ?? null);`,
    );
    assert.deepEqual(verdicts, ['ok', 'bad']);
    const sizeCheck = await session.exec(`return document.querySelector('[data-testid="artwork-check"]').dataset.ok;`);
    assert.equal(sizeCheck, 'false');
    await session.exec(`document.getElementById('artwork-card').scrollIntoView({ block: 'start' });`);
    await shot('problems-en');
  });

  await step('jump', async () => {
    // A click on the clipping item opens the track's details with its analysis focused.
    await session.click('[data-testid="readiness-item"][data-code="clipping"]');
    await session.waitFor('[data-testid="track-analysis"]');
    assert.equal(await session.exec('return document.activeElement.id;'), 'track-analysis');
    await shot('track-details-en');
    // A click on the UPC item focuses the UPC field; filling it clears the item.
    await session.click('[data-testid="readiness-item"][data-code="missing_upc"]');
    assert.equal(await session.exec('return document.activeElement.id;'), 'release-upc');
    await session.type('[data-testid="release-upc"]', '036000291452');
    await session.click('[data-testid="release-save"]');
    await waitForProblems((p) => !p.includes('missing_upc'), 'cleared missing_upc');
  });

  await step('artwork', async () => {
    await upload('artwork-input', bigCover);
    const items = await waitForProblems((p) => !p.includes('artwork_too_small'), 'cleared artwork_too_small', 60000);
    assert.ok(items.includes('low_sample_rate@2'), `the master's problem stays: ${items}`);
    assert.equal(await session.exec(`return document.querySelector('[data-testid="artwork-check"]').dataset.ok;`), 'true');
    await shot('fixed-en');
  });

  await step('zh', async () => {
    await session.click('[data-testid="nav-settings"]');
    await session.select('[data-testid="language-select"]', 'zh-CN');
    await session.click('[data-testid="nav-releases"]');
    await session.click('[data-testid="release-row"] a');
    await session.waitForCount('[data-testid="track-row"]', 2);
    await session.waitFor('[data-testid="readiness-item"]', { text: '采样率' });
    await session.click('[data-testid="readiness-item"][data-code="clipping"]');
    await session.waitFor('[data-testid="track-analysis"]');
    await shot('checklist-zh');
  });

  await step('ern', async () => {
    // A real ERN 4.3 album goes in through the Releases page's file input.
    const ern = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/real/ddex-ern43-sshaw/audio-album.xml');
    await session.click('[data-testid="nav-releases"]');
    await session.waitForCount('[data-testid="release-row"]', 1);
    await upload('ern-import-input', ern);
    await session.waitFor('[data-testid="ern-notice"], [data-testid="readiness-summary"]', { timeout: 30000 });
    if (!(await session.exec(`return !!document.querySelector('[data-testid="readiness-summary"]');`))) {
      await session.waitForCount('[data-testid="release-row"]', 2);
      await session.exec(`[...document.querySelectorAll('[data-testid="release-row"]')].find((r) => !r.textContent.includes('Low Tide')).querySelector('a').click();`);
    }
    await session.waitForCount('[data-testid="track-row"]', 21);
    await session.waitFor('[data-testid="readiness-summary"]');
    // The message's artist joined the roster and is credited.
    assert.ok(await session.exec(`return document.querySelectorAll('[data-testid="release-artist"]:checked').length;`) >= 1);
    await shot('imported-ern-zh');
    await session.click('[data-testid="release-back"]');
    await session.waitForCount('[data-testid="release-row"]', 2);
  });
});
