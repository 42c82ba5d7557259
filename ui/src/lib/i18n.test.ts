import { afterEach, describe, expect, it } from 'vitest';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';
import { errorMessage, issueMessage, language, setLanguage, systemLanguage, t } from './i18n';
import { HostError } from './host';

// (Every engine error code has an en and zh-CN message: checked in Rust, next to the codes,
// crates/roadie/src/error.rs, so a new variant cannot slip past a hand-kept list here.)
const REASONS = ['required', 'too_long', 'invalid_country', 'invalid_isrc', 'invalid_upc', 'invalid_url', 'invalid_language', 'out_of_range'];

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => setLanguage('en'));

describe('dictionaries', () => {
  it('en and zh-CN have exactly the same keys', () => {
    const enKeys = Object.keys(en).sort();
    const zhKeys = Object.keys(zhCN).sort();
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });

  it('no translation is empty, and both use the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(zhCN[key].trim(), key).not.toBe('');
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('translates every field-issue reason', () => {
    for (const reason of REASONS) expect(Object.keys(en)).toContain(`reason.${reason}`);
  });

  it('uses the agreed Chinese vocabulary', () => {
    expect(zhCN['nav.releases']).toBe('发行');
    expect(zhCN['nav.roster']).toBe('艺人名单');
    expect(zhCN['nav.settings']).toBe('设置');
    expect(zhCN['tracks.title']).toBe('曲目');
    expect([zhCN['status.draft'], zhCN['status.ready'], zhCN['status.delivered']]).toEqual(['草稿', '已就绪', '已交付']);
    expect([zhCN['type.album'], zhCN['type.ep'], zhCN['type.single'], zhCN['type.compilation']]).toEqual(['专辑', 'EP', '单曲', '合辑']);
  });
});

describe('t()', () => {
  it('fills parameters and follows the current language', () => {
    expect(t('error.position_taken', { disc: 1, position: 3 })).toBe('Disc 1 already has a track at position 3.');
    setLanguage('zh-CN');
    expect(language()).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(t('error.position_taken', { disc: 1, position: 3 })).toBe('第 1 碟的第 3 首已有曲目。');
  });

  it('translates errors by code and falls back to the message for unknown codes', () => {
    const known = new HostError({ code: 'artist_in_use', message: 'Jay is credited on 2 release(s)', params: { name: 'Jay', releases: '2' }, issues: [] });
    expect(errorMessage(known)).toBe('Jay is credited on 2 release(s). Remove those credits first.');
    setLanguage('zh-CN');
    expect(errorMessage(known)).toBe('Jay 署名于 2 个发行中，请先移除这些署名。');
    expect(errorMessage({ code: 'brand_new_code', message: 'raw text', params: {}, issues: [] })).toBe('raw text');
    expect(errorMessage('invalid args `id` for command')).toBe('invalid args `id` for command');
  });

  it('translates field issues, field-specific first, the detail last', () => {
    expect(issueMessage({ field: 'title', reason: 'required', detail: 'x' })).toBe('Required');
    expect(issueMessage({ field: 'artist_ids', reason: 'required', detail: 'x' })).toBe('Choose at least one artist');
    expect(issueMessage({ field: 'links[1]', reason: 'invalid_url', detail: 'x' })).toBe('Not a web address (https://…)');
    expect(issueMessage({ field: 'x', reason: 'unheard_of', detail: 'the detail' })).toBe('the detail');
  });

  it('picks the system language: zh* is Simplified Chinese, anything else English', () => {
    expect(systemLanguage(['zh-TW', 'en'])).toBe('zh-CN');
    expect(systemLanguage(['zh'])).toBe('zh-CN');
    expect(systemLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(systemLanguage(['fr'])).toBe('en');
    expect(systemLanguage([])).toBe('en');
  });
});
