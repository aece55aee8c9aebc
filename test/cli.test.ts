/**
 * The command line's contract: exit codes, one-line errors for bad input, the JSON summary,
 * and counterexample files — a C reproducer that compiles against the system libssl and shows
 * the divergent value.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VARIANTS } from '../properties/variants.js';
import { inProcessLibssl } from '../src/driver/implementations.js';
import { fuzz } from '../src/oracle/fuzz.js';
import { reproC, traceOf } from '../src/trace/counterexample.js';
import { runCli } from './run-cli.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('session-oracle fuzz: bad input is one line and exit code 2', () => {
  it.each([
    [['fuzz', '--runs', '-1'], /--runs/],
    [['fuzz', '--runs', 'many'], /--runs must be a positive integer/],
    [['fuzz', '--max-calls', '0'], /--max-calls/],
    [['fuzz', '--seed', '1.5'], /--seed/],
    [['fuzz', '--shard', '3/2'], /--shard/],
    [['fuzz', '--level', 'tls'], /--level must be one of object, handshake, all/],
    [['fuzz', '--lib', '/nonexistent/libssl.so.3', '--in-process'], /\/nonexistent\/libssl\.so\.3/],
    [['fuzz', '--lib', '/lib/x86_64-linux-gnu/libz.so.1', '--in-process'], /libz\.so\.1/],
    [['fuzz', '--profile', 'openssl-0.9', '--runs', '1', '--in-process'], /unknown profile "openssl-0\.9"/],
    [['frobnicate'], /unknown command/],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('session-oracle fuzz against the system libssl', () => {
  it('reports no divergence, every exercisable clause, as JSON', async () => {
    const r = await run(
      'fuzz',
      '--level',
      'object',
      '--runs',
      '150',
      '--seed',
      '5',
      '--in-process',
      '--json',
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({
      seed: 5,
      runs: 150,
      sequences: 150,
      divergences: 0,
      profile: 'openssl-3.0',
    });
    expect(summary.exercised).toHaveLength(summary.exercisable);
  });

  it('judges handshakes too, with the connection clauses exercisable', async () => {
    const r = await run(
      'fuzz',
      '--level',
      'handshake',
      '--runs',
      '40',
      '--seed',
      '3',
      '--in-process',
      '--json',
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ level: 'handshake', maxCalls: 2000, divergences: 0 });
    expect(summary.exercised).toEqual(expect.arrayContaining(['§LOOKUP-5', '§STORE-1', '§CONN-6', '§HS-5']));
    expect(summary.exercisable).toBeGreaterThan(60);
  });

  it('prints the seed it chose when none is given', async () => {
    const r = await run('fuzz', '--runs', '5', '--in-process');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^fuzz: seed -?\d+/);
    expect(r.out).toMatch(/divergences 0/);
  });
});

describe('session-oracle fuzz with a child process', () => {
  it('judges the system libssl in a child process by default', async () => {
    const r = await run('fuzz', '--runs', '40', '--seed', '2', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      sequences: 40,
      divergences: 0,
      implementation: expect.stringMatching(/^OpenSSL 3\.0\./),
    });
  });

  it('reports a driver that crashes at its second call as a finding with exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-crash-'));
    const script = join(dir, 'crash.mjs');
    writeFileSync(
      script,
      [
        "import { createInterface } from 'node:readline';",
        'let n = 0;',
        "createInterface({ input: process.stdin }).on('line', (line) => {",
        '  const m = JSON.parse(line);',
        "  if (m.hello) return console.log(JSON.stringify({ hello: 1, implementation: 'crashy', profile: 'openssl-3.0' }));",
        '  if (m.reset) {',
        '    n = 0;',
        '    return console.log(JSON.stringify({ id: m.id, reset: true }));',
        '  }',
        "  if (m.call.fn !== 'SSL_CTX_new') process.kill(process.pid, 'SIGSEGV');",
        "  console.log(JSON.stringify({ id: m.id, ret: { t: 'ctx', v: 'c' + ++n }, events: [] }));",
        '});',
      ].join('\n'),
    );
    const r = await run('fuzz', '--exec', `node ${script}`, '--runs', '5', '--seed', '1', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/IMPLEMENTATION FAILURE/);
    expect(r.out).toMatch(/call 2: .*implementation crash: .*SIGSEGV/);
  });
});

describe('counterexample files', () => {
  it('the C reproducer compiles against the system libssl and shows the divergent value', async () => {
    // A model that wrongly expects set_time to return 1: the real library returns its argument.
    const variant = VARIANTS.find((v) => v.clause === '§SESS-3');
    if (!variant) throw new Error('no §SESS-3 variant');
    const impl = inProcessLibssl();
    const report = await fuzz(variant.model, impl, { runs: 200, maxCalls: 60, seed: 4 });
    await impl.close();
    const cx = report.counterexample;
    if (!cx) throw new Error('the planted divergence was not found');
    const dir = mkdtempSync(join(tmpdir(), 'so-repro-'));
    writeFileSync(join(dir, 'repro.c'), reproC(cx.result, 'test'));
    execFileSync('cc', ['-o', join(dir, 'repro'), join(dir, 'repro.c'), '-lssl', '-lcrypto']);
    let output = '';
    try {
      execFileSync(join(dir, 'repro'), { encoding: 'utf8' });
    } catch (e) {
      output = (e as { stdout: string }).stdout;
    }
    const last = cx.result.steps.at(-1);
    if (last?.cmd.fn !== 'SSL_SESSION_set_time') throw new Error(`unexpected divergence at ${last?.cmd.fn}`);
    expect(output).toContain(`SSL_SESSION_set_time(s1, ${last.cmd.t}) -> ${last.cmd.t}`);
    expect(output).toMatch(/\^ divergent: the model \(§SESS-3\) allows only 1/);
    const trace = traceOf(
      { trace: 'session-oracle', version: 1, profile: 'openssl-3.0', implementation: 'x' },
      cx.result,
    );
    const lines = trace
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ trace: 'session-oracle', version: 1 });
    expect(lines.at(-1)).toMatchObject({
      call: { fn: 'SSL_SESSION_set_time' },
      expected: [{ ret: { t: 'int', v: '1' } }],
    });
    expect(readFileSync(join(dir, 'repro.c'), 'utf8')).toContain('time_t time(time_t *t)');
  });
});
