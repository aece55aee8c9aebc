/**
 * The C reproducer performs real handshakes: a sequence of connection calls recorded through the
 * in-process driver, written as repro.c (with the ids the server drew and the clock pinned),
 * compiled against the system libssl and run, prints the same return values and the same
 * events, in the same order, as the driver observed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InProcessDriver } from '../src/driver/inprocess.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState } from '../src/model/state.js';
import type { Ret } from '../src/model/types.js';
import { judge, showCall, showEvent } from '../src/oracle/judge.js';
import type { LockstepStep } from '../src/oracle/lockstep.js';
import { reproC } from '../src/trace/counterexample.js';
import { SCENARIOS } from './scenarios.js';

/** How repro.c prints a return value. */
const cRet = (r: Ret): string =>
  r.t === 'void'
    ? 'void'
    : r.t === 'int'
      ? `${r.v}`
      : r.t === 'callback'
        ? r.v === null
          ? '0'
          : '1'
        : `${r.v ?? 'NULL'}`;

describe('the C reproducer of a connection sequence', () => {
  for (const name of [
    'a full handshake, then a resumption of the client session',
    'SSL_VERIFY_PEER with an empty session id context: nothing stored, a found session is fatal',
    'an expired session: a timeout, out of the cache, a full handshake',
    'SSL_CTX_free while connections live: the last SSL_free flushes',
    'a stale answer counts a timeout and leaves the internal cache it just entered',
    'a non-resumable answer is ignored, its handed-over reference dropped',
    'mode OFF asks the store, and copies its answer into the full internal cache (an eviction)',
  ]) {
    it(`prints what the driver observed: ${name}`, () => {
      const sc = SCENARIOS.find((s) => s.name === name);
      if (sc === undefined) throw new Error(`no scenario ${name}`);
      const driver = InProcessDriver.open();
      const model = modelOf(openssl30);
      const steps: LockstepStep[] = [];
      let state = initialState;
      try {
        for (const cmd of sc.cmds) {
          const observation = driver.exec(cmd);
          const verdict = judge(model, state, cmd, observation);
          if (verdict.kind !== 'agree') throw new Error(`${showCall(cmd)}: ${verdict.kind}`);
          state = verdict.state;
          steps.push({ cmd, observation, verdict });
        }
      } finally {
        driver.close();
      }
      const expected = steps.flatMap((s, i) => [
        ...s.observation.outcome.events.map((e) => `  ${showEvent(e)}`),
        `call ${i + 1}: ${showCall(s.cmd)} -> ${cRet(s.observation.outcome.ret)}`,
      ]);
      const dir = mkdtempSync(join(tmpdir(), 'so-repro-conn-'));
      writeFileSync(join(dir, 'repro.c'), reproC({ kind: 'diverge', steps }, name));
      execFileSync('cc', ['-o', join(dir, 'repro'), join(dir, 'repro.c'), '-lssl', '-lcrypto']);
      const out = execFileSync(join(dir, 'repro'), { encoding: 'utf8' }).trimEnd().split('\n');
      expect(out).toEqual(expected);
    });
  }
});
