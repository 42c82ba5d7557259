// Screenshots of every screen, in both languages and both themes, against the mock host.
//   node scripts/screenshots.mjs            (starts its own Vite dev server)
//   BASE_URL=http://localhost:5173 node scripts/screenshots.mjs   (uses a running one)
// Needs Debian's chromium (apt-get install chromium); writes PNGs to ui/screenshots/.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const only = process.argv[2]; // optional filter on the file name

/** @type {import('vite').ViteDevServer | null} */
let server = null;
let base = process.env.BASE_URL;
if (!base) {
  server = await createServer({ root, logLevel: 'warn', server: { port: 5199, strictPort: false } });
  await server.listen();
  base = server.resolvedUrls?.local[0] ?? 'http://localhost:5199/';
}

await mkdir(outDir, { recursive: true });
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Two payees and a 60/40 split on the demo album, through the ledger screens. */
/** @param {import('playwright-core').Page} page */
async function ledgerSetup(page) {
  await nav(page, 'nav-royalties', 'report-row');
  await page.getByTestId('royalties-tab-payees').click();
  for (const name of ['Ann Lee', '陈北']) {
    await page.getByTestId('payee-add').click();
    await page.getByTestId('payee-name').fill(name);
    await page.getByTestId('payee-save').click();
    await page.getByTestId('payee-row').filter({ hasText: name }).waitFor();
  }
  await page.getByTestId('royalties-tab-splits').click();
  await page.getByTestId('split-row').first().waitFor();
  const album = await page.getByTestId('split-release').locator('option', { hasText: 'Night Market Radio' }).getAttribute('value');
  await page.getByTestId('split-release').selectOption(album);
  await page.waitForTimeout(300);
  /** @param {number} i @param {string} name */
  const pick = async (i, name) => {
    const select = page.getByTestId('split-payee').nth(i);
    const value = await select.locator('option', { hasText: name }).getAttribute('value');
    await select.selectOption(value);
  };
  await pick(0, 'Ann Lee');
  await page.getByTestId('split-percent').nth(0).fill('60');
  await page.getByTestId('split-add-row').click();
  await pick(1, '陈北');
  await page.getByTestId('split-percent').nth(1).fill('40');
  await page.getByTestId('split-preview-row').first().waitFor();
  await page.getByTestId('split-save').click();
  await page.getByTestId('split-saved').waitFor();
}

/**
 * @typedef {import('playwright-core').Page} Page
 * @type {{ name: string, query: string, height?: number, steps: (page: Page) => Promise<void> }[]}
 */
const shots = [
  { name: 'welcome', query: '', steps: async (page) => void (await page.getByTestId('welcome').waitFor()) },
  {
    name: 'welcome-error',
    query: '',
    steps: async (page) => {
      await page.getByTestId('workspace-create').click();
      await page.getByTestId('field-error').waitFor();
    },
  },
  { name: 'releases', query: 'demo', steps: async (page) => void (await page.getByTestId('release-row').first().waitFor()) },
  {
    name: 'editor',
    query: 'demo',
    height: 1250,
    steps: async (page) => {
      await page.getByTestId('release-row').nth(1).click();
      await page.getByTestId('track-row').first().waitFor();
    },
  },
  {
    name: 'editor-new-errors',
    query: 'demo',
    height: 1250,
    steps: async (page) => {
      await page.getByTestId('release-new').click();
      await page.getByTestId('release-upc').fill('123');
      await page.getByTestId('release-save').click();
      await page.getByTestId('field-error').first().waitFor();
    },
  },
  {
    name: 'editor-track-edit',
    query: 'demo',
    height: 1250,
    steps: async (page) => {
      await page.getByTestId('release-row').nth(1).click();
      await page.getByTestId('track-edit').nth(1).click();
      await page.getByTestId('track-edit-position').fill('1');
      await page.getByTestId('track-edit-position').press('Enter');
      await page.getByTestId('error-banner').waitFor();
    },
  },
  {
    name: 'release-builder',
    query: 'demo',
    height: 1400,
    steps: async (page) => {
      await page.getByTestId('release-row').nth(1).click();
      await page.getByTestId('readiness-summary').waitFor();
      await page.getByTestId('release-files-choose').click();
      await page.getByTestId('track-badges').first().waitFor();
      await page.locator('[data-testid="readiness-item"][data-code="clipping"]').click();
      await page.getByTestId('track-analysis').waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.locator('main, .content, body').first().evaluate((el) => el.scrollTo?.(0, 0));
    },
  },
  { name: 'roster', query: 'demo', steps: async (page) => void (await nav(page, 'nav-roster', 'artist-row')) },
  {
    name: 'roster-form',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-roster', 'artist-row');
      await page.getByTestId('artist-edit').first().click();
      await page.getByTestId('artist-name').waitFor();
    },
  },
  {
    name: 'roster-confirm',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-roster', 'artist-row');
      await page.getByTestId('artist-delete').first().click();
      await page.getByTestId('confirm-yes').waitFor();
    },
  },
  { name: 'profile', query: 'demo=artist', steps: async (page) => void (await nav(page, 'nav-roster', 'artist-row')) },
  { name: 'fans', query: 'demo', steps: async (page) => void (await nav(page, 'nav-fans', 'fans-row')) },
  {
    name: 'fans-contact',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-fans', 'fans-row');
      await page.getByTestId('fans-row').first().click();
      await page.getByTestId('timeline-entry').first().waitFor();
    },
  },
  {
    name: 'fans-edit',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-fans', 'fans-row');
      await page.getByTestId('fans-row').first().click();
      await page.getByTestId('contact-edit').click();
      await page.getByTestId('contact-edit-country').fill('Atlantis');
      await page.getByTestId('contact-edit-save').click();
      await page.getByTestId('field-error').first().waitFor();
    },
  },
  {
    name: 'fans-filters',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-fans', 'fans-row');
      await page.getByTestId('fans-filters-toggle').click();
      await page.getByTestId('fans-filter-active-before').fill('2026-12-31');
      await page.getByTestId('fans-filter-spend-below').fill('lots');
      await page.getByTestId('fans-filter-spend-below').press('Enter');
      await page.getByTestId('fans-filter-spend-below').blur();
      await page.getByTestId('field-error').first().waitFor();
    },
  },
  {
    name: 'fans-import',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-fans', 'fans-row');
      await page.getByTestId('fans-import').click();
      await page.getByTestId('fans-import-file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('Email,Mail,姓名,城市\na@example.com,b@example.com,小明,广州\n') });
      await page.getByTestId('mapping-conflict').waitFor();
    },
  },
  {
    name: 'fans-merge',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-fans', 'fans-row');
      await page.getByTestId('fans-duplicates').click();
      await page.getByTestId('merge-open').first().click();
      await page.getByTestId('merge-run').waitFor();
    },
  },
  { name: 'royalties', query: 'demo', height: 1300, steps: async (page) => void (await nav(page, 'nav-royalties', 'report-row')) },
  {
    name: 'royalties-assign',
    query: 'demo',
    steps: async (page) => {
      await nav(page, 'nav-royalties', 'unmatched-assign');
      await page.getByTestId('unmatched-assign').first().click();
      await page.getByTestId('assign-target').waitFor();
    },
  },
  {
    name: 'royalties-mapping',
    query: 'demo',
    height: 900,
    steps: async (page) => {
      await nav(page, 'nav-royalties', 'report-row');
      const csv = '月份,平台,国家,ISRC,歌曲,艺人,数量,收入,币种,备注\n15/01/2026,QQ音乐,中国,CNA012600001,Neon Rain,Jay Chou,120,"1234.50",CNY,\n16/01/2026,网易云音乐,美国,,晴天,周杰伦,30,12.25,USD,试听\n';
      await page.getByTestId('royalties-import-file').setInputFiles({ name: 'qq-music-2026-01.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByTestId('mapping-preview-row').first().waitFor();
    },
  },
  {
    name: 'ledger-payees',
    query: 'demo',
    steps: async (page) => {
      await ledgerSetup(page);
      await page.getByTestId('royalties-tab-payees').click();
      await page.getByTestId('payee-row').first().waitFor();
    },
  },
  {
    name: 'ledger-split',
    query: 'demo',
    height: 1000,
    steps: async (page) => {
      await ledgerSetup(page);
      await page.getByTestId('royalties-tab-splits').click();
      await page.getByTestId('split-history-row').first().waitFor();
      await page.getByTestId('split-percent').first().fill('55');
      await page.getByTestId('split-remainder').waitFor();
    },
  },
  {
    name: 'ledger-statements',
    query: 'demo',
    steps: async (page) => {
      await ledgerSetup(page);
      await page.getByTestId('royalties-tab-statements').click();
      await page.getByTestId('statements-period').selectOption('2026-06');
      await page.getByTestId('statements-generate').click();
      await page.getByTestId('statement-row').first().waitFor();
      await page.getByTestId('statement-pay').first().click();
      await page.getByTestId('payout-amount').fill('100000');
      await page.getByTestId('payout-problem').waitFor();
    },
  },
  {
    name: 'ledger-advances',
    query: 'demo',
    steps: async (page) => {
      await ledgerSetup(page);
      await page.getByTestId('royalties-tab-advances').click();
      await page.getByTestId('advance-amount').fill('500');
      await page.getByTestId('advance-save').click();
      await page.getByTestId('advance-row').first().waitFor();
    },
  },
  { name: 'fans', query: 'demo', steps: async (page) => void (await nav(page, 'nav-fans', 'page-title')) },
  { name: 'settings', query: 'demo', steps: async (page) => void (await nav(page, 'nav-settings', 'store-path')) },
  {
    name: 'settings-uploads',
    query: 'demo',
    height: 1300,
    steps: async (page) => {
      await nav(page, 'nav-settings', 'account-card');
      await page.getByTestId('account-server-input').fill('https://platform.example.com');
      await page.getByTestId('account-mode-sign-up').click();
      await page.getByTestId('account-name-input').fill('Jay Chou');
      await page.getByTestId('account-email-input').fill('jay@example.com');
      await page.getByTestId('account-password-input').fill('night market');
      await page.getByTestId('account-submit').click();
      await page.getByTestId('account-who').waitFor();
      await page.getByTestId('uploads-file').setInputFiles([
        { name: '01 Neon Rain.wav', mimeType: 'audio/wav', buffer: Buffer.alloc(52_000) },
        { name: 'cover.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(9_000) },
      ]);
      await page.getByTestId('upload-item').nth(1).waitFor();
    },
  },
  {
    name: 'settings-team',
    query: 'demo',
    height: 1100,
    steps: async (page) => {
      await nav(page, 'nav-settings', 'account-card');
      await page.getByTestId('account-server-input').fill('https://platform.example.com');
      await page.getByTestId('account-mode-sign-up').click();
      await page.getByTestId('account-name-input').fill('Mei Chen');
      await page.getByTestId('account-email-input').fill('mei@example.com');
      await page.getByTestId('account-password-input').fill('night market');
      await page.getByTestId('account-submit').click();
      await page.getByTestId('team-card').waitFor();
      await page.getByTestId('team-new-label').click();
      await page.getByTestId('team-label-name').fill('Neon Harbor Records');
      await page.getByTestId('team-label-create').click();
      await page.getByTestId('team-roster-empty').waitFor();
      for (const name of ['Lin Qiao', 'Jay Chou']) {
        await page.getByTestId('team-artist-name').fill(name);
        await page.getByTestId('team-artist-add').click();
        await page.getByTestId('team-roster-row').filter({ hasText: name }).waitFor();
      }
      await page.getByTestId('team-invite-email').fill('sam.okafor@example.com');
      await page.getByTestId('team-invite-role').selectOption('label_staff');
      await page.getByTestId('team-invite-create').click();
      await page.getByTestId('team-invite-link').waitFor();
      await page.getByTestId('team-card').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    },
  },
  { name: 'new-workspace', query: 'demo', steps: async (page) => {
    await page.getByTestId('workspace-new').click();
    await page.getByTestId('workspace-name').waitFor();
  } },
  { name: 'conflicts', query: 'demo&conflicts', steps: async (page) => void (await nav(page, 'nav-conflicts', 'conflict')) },
  { name: 'store-error', query: 'store-error', steps: async (page) => void (await page.getByTestId('store-open').waitFor()) },
];

/** @param {Page} page @param {string} link @param {string} waitFor */
async function nav(page, link, waitFor) {
  await page.getByTestId(link).click();
  await page.getByTestId(waitFor).first().waitFor();
}

let count = 0;
try {
  for (const lang of ['en', 'zh-CN']) {
    for (const theme of ['light', 'dark']) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 780 }, deviceScaleFactor: 1, colorScheme: theme === 'dark' ? 'dark' : 'light', locale: lang });
      for (const shot of shots) {
        const file = `${shot.name}-${lang}-${theme}.png`;
        if (only && !file.includes(only)) continue;
        const page = await context.newPage();
        if (shot.height) await page.setViewportSize({ width: 1200, height: shot.height });
        /** @type {string[]} */
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        const params = new URLSearchParams(shot.query);
        params.set('lang', lang);
        params.set('theme', theme);
        await page.goto(`${base}?${params.toString().replace(/=(&|$)/g, '$1')}`);
        await shot.steps(page);
        await page.waitForTimeout(250); // let transitions finish
        await page.screenshot({ path: join(outDir, file) });
        if (errors.length) console.warn(`${file}: ${errors.join(' | ')}`);
        await page.close();
        count++;
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server?.close();
}
console.log(`${count} screenshots in ${outDir}`);
