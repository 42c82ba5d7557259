// The app's shared state: which store and workspace are open, the roster, preferences and the
// current screen. Screens keep their own lists; this holds what several screens need.
import { getContext, setContext } from 'svelte';
import type { AppInfo, Artist, NewWorkspace, Preferences, Workspace } from './bindings';
import type { Host } from './host';
import { setLanguage, systemLanguage } from './i18n';
import { applyTheme } from './theme';

export type Route =
  | { name: 'releases' }
  | { name: 'release'; id: string | null }
  | { name: 'fans' }
  | { name: 'royalties'; tab?: 'overview' | 'payees' | 'splits' | 'advances' | 'rates' | 'statements'; release?: string }
  | { name: 'roster' }
  | { name: 'settings' }
  | { name: 'conflicts' };

export type Phase = 'loading' | 'store-error' | 'welcome' | 'ready';

export class AppState {
  readonly host: Host;
  phase = $state<Phase>('loading');
  info = $state<AppInfo | null>(null);
  workspaces = $state<Workspace[]>([]);
  workspace = $state<Workspace | null>(null);
  artists = $state<Artist[]>([]);
  preferences = $state<Preferences>({ language: null, theme: null });
  route = $state<Route>({ name: 'releases' });
  /** An error that stopped the app from starting (shown full page). */
  fatal = $state<unknown>(null);
  /** Bumped after every change of store or workspace, so screens reload their lists. */
  generation = $state(0);

  constructor(host: Host) {
    this.host = host;
  }

  /** Opens the app: the store, the preferences, the current workspace. */
  async boot(): Promise<void> {
    this.phase = 'loading';
    this.fatal = null;
    try {
      this.info = await this.host.call('app_info', {});
      if (this.info.store_error) {
        this.applyPreferences({ language: null, theme: null });
        this.phase = 'store-error';
        return;
      }
      this.applyPreferences(await this.host.call('preferences_get', {}));
      await this.loadWorkspaces();
    } catch (error) {
      this.fatal = error;
      this.phase = 'store-error';
    }
  }

  private async loadWorkspaces(): Promise<void> {
    const [current, list] = await Promise.all([this.host.call('workspace_current', {}), this.host.call('workspace_list', {})]);
    this.workspaces = list;
    this.workspace = current;
    if (current) {
      await this.loadArtists();
      this.route = { name: 'releases' };
      this.phase = 'ready';
    } else {
      this.artists = [];
      this.phase = 'welcome';
    }
    this.generation++;
  }

  async loadArtists(): Promise<void> {
    this.artists = this.workspace ? await this.host.call('artist_list', { workspace_id: this.workspace.id }) : [];
  }

  applyPreferences(preferences: Preferences): void {
    this.preferences = preferences;
    setLanguage(preferences.language ?? systemLanguage());
    applyTheme(preferences.theme);
  }

  async savePreferences(change: Partial<Preferences>): Promise<void> {
    const next = { ...this.preferences, ...change };
    this.applyPreferences(next); // at once; the store confirms
    this.applyPreferences(await this.host.call('preferences_set', { preferences: next }));
  }

  async createWorkspace(input: NewWorkspace): Promise<Workspace> {
    const ws = await this.host.call('workspace_create', { input });
    await this.loadWorkspaces();
    return ws;
  }

  async useWorkspace(id: string): Promise<void> {
    await this.host.call('workspace_use', { id });
    await this.loadWorkspaces();
  }

  /** The native store dialogs; `false` when the user cancelled. */
  async switchStore(kind: 'open' | 'new'): Promise<boolean> {
    const info = await this.host.call(kind === 'open' ? 'store_open_dialog' : 'store_new_dialog', {});
    if (!info) return false;
    await this.boot();
    return true;
  }

  navigate(route: Route): void {
    this.route = route;
  }

  /** Asks the screens on show to read their lists again (after a sidebar click, say). */
  refresh(): void {
    this.generation++;
  }

  get isArtistWorkspace(): boolean {
    return this.workspace?.kind === 'artist';
  }
}

const KEY = Symbol('roadie-app');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() outside <App>');
  return app;
}
