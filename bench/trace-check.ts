/**
 * Trace checking end to end: `node bin/session-oracle.js check FILE` (the built CLI; run
 * `npm run build` first) on traces recorded at bench time with `record --in-process`, timed
 * against the floor of reading the same file and JSON.parse-ing each line
 * (bench/read-floor.ts), with peak RSS from `/usr/bin/time -v`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = `${root}bin/session-oracle.js`;
const floorScript = fileURLToPath(new URL('./read-floor.js', import.meta.url));
const TIME = '/usr/bin/time';

export interface Timed {
  readonly seconds: number;
  readonly maxRssKiB: number | null;
  readonly status: number | null;
  readonly stdout: string;
}

/** Runs `node args…` under `/usr/bin/time -v` when available; wall time and peak RSS. */
export const timedNode = (args: readonly string[]): Timed => {
  const haveTime = existsSync(TIME);
  const cmd = haveTime ? TIME : process.execPath;
  const argv = haveTime ? ['-v', process.execPath, ...args] : [...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { seconds, maxRssKiB: m ? Number(m[1]) : null, status: r.status, stdout: r.stdout ?? '' };
};

/** Records a trace of `sequences` × `calls` calls (seed 1, in-process libssl) to `out`. */
export const recordTrace = (out: string, calls: number, sequences: number): number => {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'record',
      '--in-process',
      '--seed',
      '1',
      '--calls',
      String(calls),
      '--sequences',
      String(sequences),
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bench: record failed (${r.status}): ${r.stderr}`);
  return (performance.now() - t0) / 1000;
};

export interface CheckRow {
  readonly label: string;
  readonly calls: number;
  readonly bytes: number;
  readonly check: Timed;
  readonly floor: Timed;
}

/** Times `check` and the floor on `file` (recorded with `calls` calls). */
export const checkVsFloor = (label: string, file: string, calls: number): CheckRow => {
  const floor = timedNode([floorScript, file]);
  if (floor.status !== 0) throw new Error(`bench: the floor script failed on ${file}`);
  const check = timedNode([cli, 'check', file]);
  if (check.status !== 0) throw new Error(`bench: check exited ${check.status} on ${file}: ${check.stdout}`);
  return { label, calls, bytes: statSync(file).size, check, floor };
};
