// Test data the e2e tests generate: audio files and the CLI as a second device.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cli } from './harness.mjs';

/** A 16-bit PCM WAV: `seconds` of a sine at `freq` Hz, `amplitude` of full scale (above 1 clips). */
export function wavBytes({ rate = 44100, seconds, freq = 1000, amplitude = 0.2, channels = 2 }) {
  const frames = Math.round(rate * seconds);
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.max(-1, Math.min(1, amplitude * Math.sin((2 * Math.PI * freq * i) / rate)));
    const s = Math.round(v * 32767);
    for (let c = 0; c < channels; c++) data.writeInt16LE(s, (i * channels + c) * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Writes [`wavBytes`] to `file`. */
export function writeWav(file, options) {
  fs.writeFileSync(file, wavBytes(options));
}

/** Another device: the CLI on its own store `name` in `home` (no D-Bus, so its token goes to
 * its 0600 file). Returns `run(args, input)`: parsed JSON when args include --json, else text. */
export function cliDevice(home, name) {
  const db = path.join(home, name);
  return (args, input = '') => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: '', HOME: home };
    delete env.ROADIE_DB;
    const out = execFileSync(cli, ['--db', db, ...args], { input, env, encoding: 'utf8' });
    return args.includes('--json') ? JSON.parse(out) : out;
  };
}
