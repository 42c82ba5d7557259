// One i18n layer: a reactive current language and `t(key, params)`. Reading `t()` or
// `language()` inside a component's template or an effect subscribes it to language changes.
import { createSubscriber } from 'svelte/reactivity';
import type { ErrorPayload, FieldIssue, Language } from './bindings';
import { en, type Dictionary, type MessageKey } from './locales/en';
import { zhCN } from './locales/zh-CN';
import { HostError } from './host';

export type { MessageKey };
export const dictionaries: Record<Language, Dictionary> = { en, 'zh-CN': zhCN };
export const languages: Language[] = ['en', 'zh-CN'];

let current: Language = 'en';
const listeners = new Set<() => void>();
const subscribe = createSubscriber((update) => {
  listeners.add(update);
  return () => listeners.delete(update);
});

export function language(): Language {
  subscribe();
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const update of listeners) update();
}

/** The language to use when the user has not chosen one: zh* → Simplified Chinese, else English. */
export function systemLanguage(list: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]): Language {
  const first = list.find(Boolean) ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function has(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  subscribe();
  return format(dictionaries[current][key] ?? en[key] ?? key, params);
}

/** A failed command as a sentence in the current language; the backend's English as a last resort. */
export function errorMessage(error: unknown): string {
  const payload: ErrorPayload = HostError.from(error).payload;
  // The platform server's own codes ({code, message} bodies), translated when known.
  const platformKey = `platformError.${payload.params.platform_code ?? ''}`;
  if (payload.code === 'platform_refused' && has(platformKey)) return t(platformKey, payload.params);
  const key = `error.${payload.code}`;
  if (has(key)) return t(key, payload.params);
  subscribe();
  return payload.message || payload.code;
}

/** A field issue in the current language: a field-specific text, else the reason's, else its detail. */
export function issueMessage(issue: FieldIssue): string {
  const base = issue.field.replace(/\[\d+\]$/, '');
  const specific = `reason.${base}.${issue.reason}`;
  if (has(specific)) return t(specific);
  const general = `reason.${issue.reason}`;
  if (has(general)) return t(general);
  subscribe();
  return issue.detail;
}

/** Dates are stored as YYYY-MM-DD; show them the local way. */
export function formatDate(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}
