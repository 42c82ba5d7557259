import { mount } from 'svelte';
import App from './App.svelte';
import { inTauri, tauriHost, type Host } from './lib/host';
import { applyTheme } from './lib/theme';
import './styles.css';

async function pickHost(): Promise<Host> {
  if (inTauri()) return tauriHost;
  // A plain browser (`npm run dev`): an in-memory store. `?demo` (or `?demo=artist`) fills it.
  const { createMockHost, seedDemo } = await import('./lib/mockHost');
  const params = new URLSearchParams(window.location.search);
  // `?conflicts`: open sync conflicts to resolve.
  const conflicts = params.has('conflicts') ? (await import('./lib/mockSync')).demoConflicts() : undefined;
  const host = createMockHost(params.has('store-error') ? { storeError: { code: 'store_too_new', message: 'schema 9 is newer than 3', params: { path: '/home/you/roadie.sqlite', found: '9', supported: '3' }, issues: [] } } : { conflicts });
  if (params.has('demo')) await seedDemo(host, params.get('demo') === 'artist' ? 'artist' : 'label');
  const lang = params.get('lang');
  const theme = params.get('theme');
  if (lang === 'en' || lang === 'zh-CN' || theme === 'light' || theme === 'dark') {
    await host.call('preferences_set', {
      preferences: { language: lang === 'en' || lang === 'zh-CN' ? lang : null, theme: theme === 'light' || theme === 'dark' ? theme : null },
    }).catch(() => undefined);
  }
  return host;
}

applyTheme(null); // the system's until the preferences are read: no flash of the wrong theme
const target = document.getElementById('app')!;
void pickHost().then((host) => mount(App, { target, props: { host } }));
