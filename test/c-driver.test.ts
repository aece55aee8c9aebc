/**
 * The example C driver (examples/driver.c): built with examples/build-driver.sh against the
 * system libssl, it passes the same campaign as the in-process driver (same seed, same budget,
 * same calls, no divergence); built with -DPLANTED_BUG, the oracle finds its divergence, and
 * the counterexample trace it writes fails `check` at the same call by the same clause.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.js';

const root = resolve(import.meta.dirname, '..');
const build = (...args: string[]): string =>
  execFileSync('sh', [join(root, 'examples/build-driver.sh'), ...args], { encoding: 'utf8' }).trim();

const run = runCli;
afterEach(() => vi.restoreAllMocks());

describe('the example C driver', () => {
  let driver = '';
  let planted = '';
  beforeAll(() => {
    driver = build();
    planted = build('--planted-bug');
  });

  it('speaks the protocol: hello with the OpenSSL version, calls, events, errors, reset', () => {
    const input = [
      '{"hello":1}',
      '{"id":1,"call":{"fn":"SSL_CTX_new"}}',
      '{"id":2,"call":{"fn":"SSL_CTX_sess_set_remove_cb","ctx":"c1","cb":"cb"}}',
      '{"id":3,"call":{"fn":"SSL_SESSION_new"}}',
      '{"id":4,"call":{"fn":"SSL_SESSION_set1_id","s":"s1","id":"0102"}}',
      '{"id":5,"call":{"fn":"SSL_CTX_add_session","ctx":"c1","s":"s1"}}',
      '{"id":6,"call":{"fn":"SSL_SESSION_free","s":"s1"}}',
      '{"id":7,"call":{"fn":"SSL_CTX_flush_sessions","ctx":"c1","t":"9223372036854775807"}}',
      '{"id":8,"call":{"fn":"SSL_CTX_sess_number","ctx":"c9"}}',
      '{"id":9,"call":{"fn":"SSL_CTX_sess_get_remove_cb","ctx":"c1"}}',
      '{"id":10,"reset":true}',
      '{"id":11,"call":{"fn":"SSL_SESSION_new"}}',
      '',
    ].join('\n');
    const lines = execFileSync(driver, { input, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      hello: 1,
      implementation: expect.stringMatching(/^OpenSSL 3\./),
      ...(/^OpenSSL 3\.0\./.test(lines[0].implementation) ? { profile: 'openssl-3.0' } : {}),
    });
    expect(lines[3]).toEqual({
      id: 3,
      ret: { t: 'session', v: 's1' },
      events: [],
      now: expect.stringMatching(/^\d+$/),
    });
    expect(lines[7]).toEqual({
      id: 7,
      ret: { t: 'void' },
      events: [
        { ev: 'remove_cb', ctx: 'c1', s: 's1' },
        { ev: 'free', s: 's1' },
      ],
    });
    expect(lines[8]).toEqual({ id: 8, error: 'unknown context handle c9' });
    expect(lines[9]).toEqual({ id: 9, ret: { t: 'callback', v: 'cb' }, events: [] });
    expect(lines[10]).toEqual({ id: 10, reset: true });
    expect(lines[11]).toMatchObject({ id: 11, ret: { t: 'session', v: 's1' } });
  });

  it('passes the campaign the in-process driver passes: same seed, same budget, same calls', async () => {
    const c = await run(
      'fuzz',
      '--level',
      'object',
      '--exec',
      driver,
      '--runs',
      '200',
      '--seed',
      '1',
      '--json',
    );
    const inProcess = await run(
      'fuzz',
      '--level',
      'object',
      '--in-process',
      '--runs',
      '200',
      '--seed',
      '1',
      '--json',
    );
    expect(c.code).toBe(0);
    expect(inProcess.code).toBe(0);
    const a = JSON.parse(c.out);
    const b = JSON.parse(inProcess.out);
    expect(a).toMatchObject({ divergences: 0, sequences: 200, implementation: b.implementation });
    expect(a.calls).toBe(b.calls);
    expect(a.exercised).toEqual(b.exercised);
  });

  it('with PLANTED_BUG, the oracle finds the divergence, and check agrees on its trace', async () => {
    const out = mkdtempSync(join(tmpdir(), 'so-cdriver-'));
    const r = await run(
      'fuzz',
      '--level',
      'object',
      '--exec',
      planted,
      '--runs',
      '200',
      '--seed',
      '1',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/DIVERGENCE/);
    expect(r.out).toMatch(
      /SSL_SESSION_set_time\(s\d+, -?\d+\) returned 1, the model allows only -?\d+ \(§SESS-3\)/,
    );
    const trace = join(out, 'seed-1', 'trace.jsonl');
    const c = await run('check', trace, '--json');
    expect(c.code).toBe(1);
    const verdict = JSON.parse(c.out);
    expect(verdict).toMatchObject({
      divergences: 1,
      findings: [{ kind: 'divergence', clauses: ['§SESS-3'] }],
    });
    expect(verdict.findings[0].line).toBe(verdict.lines);
  });

  it('record --exec writes a trace of the C driver that check passes', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'so-cdriver-')), 'c.jsonl');
    const r = await run('record', '--exec', driver, '--seed', '5', '--calls', '200', '--out', out);
    expect(r.code).toBe(0);
    const c = await run('check', out);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/calls 200, divergences 0/);
  });
});
