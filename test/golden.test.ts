/**
 * The golden traces of test/golden/: each gets the verdict its manifest entry states, from the
 * streaming checker and from `session-oracle check`. Every trace in the folder has an entry.
 */
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { checkTraceStream, type Finding } from '../src/trace/check.js';

interface Entry {
  readonly file: string;
  readonly exit: 0 | 1 | 2;
  readonly line?: number;
  readonly clause?: string;
  readonly kind?: Finding['kind'];
  readonly error?: string;
  readonly origin: string;
}

const dir = resolve(import.meta.dirname, 'golden');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { traces: Entry[] };

afterEach(() => vi.restoreAllMocks());

describe('golden traces', () => {
  it('every trace in test/golden has a manifest entry, and every entry a trace', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(manifest.traces.map((t) => t.file).sort()).toEqual(files.sort());
  });

  it.each(manifest.traces.map((t) => [t.file, t] as const))('%s', async (file, t) => {
    const findings: Finding[] = [];
    const s = await checkTraceStream(createReadStream(join(dir, file)), {
      name: file,
      onFinding: (f) => findings.push(f),
    });
    expect(s.exitCode).toBe(t.exit);
    if (t.exit === 0) expect(findings).toEqual([]);
    if (t.exit === 1) {
      const first = findings[0];
      expect(first?.line).toBe(t.line);
      expect(first?.kind).toBe(t.kind ?? 'divergence');
      if (t.clause !== undefined) expect(first?.clauses).toContain(t.clause);
    }
    if (t.exit === 2) {
      expect(s.errorLine).toBe(t.line);
      expect(s.error).toContain(`${file}:${t.line}: ${t.error}`);
    }
  });

  it('session-oracle check gives the same exit codes', async () => {
    const codes: Record<string, number> = {};
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    for (const t of manifest.traces) codes[t.file] = await main(['check', join(dir, t.file)]);
    vi.restoreAllMocks();
    expect(codes).toEqual(Object.fromEntries(manifest.traces.map((t) => [t.file, t.exit])));
  });
});
