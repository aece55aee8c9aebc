/**
 * The zoo's C shims (examples/zoo/shim.c): libraries with libssl's ABI that forward to the real
 * libssl and change one behaviour, judged through `--lib` in a child process like any library.
 * Each must be caught by the default budget (1000 sequences of at most 100 calls).
 */
import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { childLibssl } from '../src/driver/implementations.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { fuzz } from '../src/oracle/fuzz.js';

const root = resolve(import.meta.dirname, '..');
/** The member built into each directory, and the clause it breaks. */
const CLAUSE: Readonly<Record<string, string>> = {
  'readd-returns-one': '§ADD-2',
  'flush-at-boundary': '§FLUSH-2',
  'cache-size-plus-one': '§EVICT-1',
  'mode-masked': '§MODE-1',
  'remove-only-cached': '§REMOVE-4',
  'set-time-returns-one': '§SESS-3',
};
let dirs: string[] = [];

beforeAll(() => {
  dirs = execFileSync('sh', [join(root, 'examples/zoo/build-shims.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n');
}, 120_000);

describe('zoo shims, at the default budget', () => {
  it('builds every member', () => {
    expect(dirs.map((d) => basename(d)).sort()).toEqual(Object.keys(CLAUSE).sort());
  });

  for (const name of Object.keys(CLAUSE)) {
    it(`${CLAUSE[name]} ${name}: caught and shrunk`, async () => {
      const impl = await childLibssl({ libssl: join(root, 'examples/build/zoo', name, 'libssl.so.3') });
      try {
        const r = await fuzz(modelOf(openssl30), impl, { runs: 1000, maxCalls: 100, seed: 1 });
        expect(r.counterexample, `${name} was not caught`).toBeDefined();
        const n = r.counterexample?.result.steps.length ?? 0;
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual(20);
      } finally {
        await impl.close();
      }
    });
  }
});
