// A small W3C WebDriver client over fetch: enough to drive Roadie through tauri-driver, with no
// browser downloads and no dependencies.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts tauri-driver on loopback; `env` reaches the app it launches. */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const proc = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() also ends the app and WebKitWebDriver it started: an app
    // left behind keeps the driver's stdout pipe open and the test process never exits.
    detached: true,
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/status`);
      if (res.ok || res.status === 404 || res.status === 405) break;
    } catch {
      if (proc.exitCode !== null) throw new Error(`tauri-driver exited: ${log}`);
    }
    await sleep(100);
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      const group = (signal) => {
        try {
          process.kill(-proc.pid, signal);
        } catch {
          // The group is already gone.
        }
      };
      const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', r)));
      group('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      group('SIGKILL');
      await exited;
      proc.stdout.destroy();
      proc.stderr.destroy();
    },
  };
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(driverUrl, application) {
    const res = await fetch(`${driverUrl}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { alwaysMatch: { 'tauri:options': { application } } } }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`new session failed: ${JSON.stringify(body)}`);
    return new Session(driverUrl, body.value.sessionId);
  }

  async cmd(method, path, body) {
    const res = await fetch(`${this.base}/session/${this.id}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(`${method} ${path}: ${json?.value?.error ?? res.status} ${json?.value?.message ?? ''}`);
      err.webdriver = json?.value?.error;
      throw err;
    }
    return json.value;
  }

  async quit() {
    await fetch(`${this.base}/session/${this.id}`, { method: 'DELETE' });
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT];
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => e[ELEMENT]);
  }

  /** Waits until `css` matches an element (and `predicate` on its text holds), returns it. */
  async waitFor(css, { text, timeout = 15000 } = {}) {
    const deadline = Date.now() + timeout;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const els = await this.findAll(css);
        for (const el of els) {
          if (text === undefined) return el;
          last = await this.text(el);
          if (last.includes(text)) return el;
        }
      } catch (e) {
        if (e.webdriver && e.webdriver !== 'no such element' && e.webdriver !== 'stale element reference') throw e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${css}${text ? ` with text "${text}" (last: "${last}")` : ''}`);
  }

  async waitForCount(css, count, timeout = 15000) {
    const deadline = Date.now() + timeout;
    let n = -1;
    while (Date.now() < deadline) {
      n = (await this.findAll(css)).length;
      if (n === count) return;
      await sleep(100);
    }
    throw new Error(`expected ${count} × ${css}, found ${n}`);
  }

  /** Clicks `css` once it is there and interactable (it may be behind a transition at first). */
  async click(css, timeout = 10000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const el = await this.waitFor(css);
      try {
        return await this.cmd('POST', `/element/${el}/click`, {});
      } catch (e) {
        const retry = ['element not interactable', 'element click intercepted', 'stale element reference'];
        if (!retry.includes(e.webdriver) || Date.now() > deadline) throw new Error(`click ${css}: ${e.message}`);
      }
      await sleep(100);
    }
  }

  /** Sets an input's value as a picker widget does (date inputs take no typed ISO text in
   * WebKitGTK), firing the same events. */
  async setValue(css, value) {
    await this.waitFor(css);
    await this.exec(
      `const el = document.querySelector(arguments[0]);
       el.value = arguments[1];
       el.dispatchEvent(new Event('input', { bubbles: true }));
       el.dispatchEvent(new Event('change', { bubbles: true }));`,
      [css, value],
    );
  }

  async clickEl(el) {
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  async type(css, value) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/clear`, {});
    await this.cmd('POST', `/element/${el}/value`, { text: value });
  }

  async text(el) {
    return this.cmd('GET', `/element/${el}/text`);
  }

  async textOf(css) {
    return this.text(await this.waitFor(css));
  }

  async exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Chooses an option of a <select> the way a user does: the value changes, then `change` fires. */
  async select(css, value) {
    await this.waitFor(css);
    const ok = await this.exec(
      `const el = document.querySelector(arguments[0]);
       if (!el || ![...el.options].some(o => o.value === arguments[1])) return false;
       el.value = arguments[1];
       el.dispatchEvent(new Event('input', { bubbles: true }));
       el.dispatchEvent(new Event('change', { bubbles: true }));
       return true;`,
      [css, value],
    );
    if (!ok) throw new Error(`no option ${value} in ${css}`);
  }

  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }
}
