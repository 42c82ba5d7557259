// Light and dark themes: `data-theme` on <html>, resolved from the preference or the system's.
import type { Theme } from './bindings';

let mediaQuery: MediaQueryList | null = null;
let chosen: Theme = 'system';

function systemPrefersDark(): boolean {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return false;
  mediaQuery ??= window.matchMedia('(prefers-color-scheme: dark)');
  return mediaQuery.matches;
}

export function resolveTheme(theme: Theme | null): 'light' | 'dark' {
  const t = theme ?? 'system';
  if (t === 'system') return systemPrefersDark() ? 'dark' : 'light';
  return t;
}

function onSystemChange(): void {
  if (chosen === 'system') document.documentElement.dataset.theme = resolveTheme('system');
}

export function applyTheme(theme: Theme | null): void {
  chosen = theme ?? 'system';
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = resolveTheme(chosen);
  if (mediaQuery && typeof mediaQuery.addEventListener === 'function') {
    mediaQuery.removeEventListener('change', onSystemChange);
    mediaQuery.addEventListener('change', onSystemChange);
  }
}
