/**
 * The openssl-1.1.1 profile through the model, with hand-computed outcomes. The hash of an id
 * is its first four bytes, little-endian; a fresh table has 8 buckets in use (`hash % 8`), and
 * `doall` visits buckets from the last to the first, each chain from its head, where new keys
 * are appended (see src/model/lhash.ts and test/lhash.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { selectProfile } from '../src/cli/main.js';
import { modelOf, runCalls } from '../src/model/model.js';
import { openssl30, openssl111 } from '../src/model/profile.js';
import type { Call, SessionHandle } from '../src/model/types.js';

const T = 1_700_000_000n;
const withIds = (ids: string[]): Call[] => [
  { fn: 'SSL_CTX_new' },
  { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' },
  ...ids.flatMap((id, i): Call[] => {
    const s: SessionHandle = `s${i + 1}`;
    return [
      { fn: 'SSL_SESSION_new', now: T },
      { fn: 'SSL_SESSION_set1_id', s, id },
      { fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T },
      { fn: 'SSL_SESSION_free', s },
    ];
  }),
];
const lastEvents = (profile: typeof openssl30, calls: Call[]) => {
  const run = runCalls(modelOf(profile), calls);
  expect(run.undefinedAt).toBeUndefined();
  return run.steps
    .at(-1)
    ?.outcome.events.map((e) =>
      e.ev === 'free' ? `free ${e.s}` : e.ev === 'remove_cb' ? `cb ${e.s}` : e.ev,
    );
};

describe('openssl-1.1.1: SSL_CTX_free walks the hash table', () => {
  it('visits buckets from the last down, chains head first, releasing each session after its callback', () => {
    // ids 01, 02, 09, 00 hash to 1, 2, 9, 0: buckets 1, 2, 1 (after 01), 0.
    // doall: bucket 2 (s2), bucket 1 (s1 then s3), bucket 0 (s4).
    const calls = [...withIds(['01', '02', '09', '00']), { fn: 'SSL_CTX_free', ctx: 'c1' } as const];
    expect(lastEvents(openssl111, calls)).toEqual([
      'cb s2',
      'free s2',
      'cb s1',
      'free s1',
      'cb s3',
      'free s3',
      'cb s4',
      'free s4',
    ]);
    // 3.0 flushes from the list's tail (equal expiry: oldest linked first), all callbacks first.
    expect(lastEvents(openssl30, calls)).toEqual([
      'cb s1',
      'cb s2',
      'cb s3',
      'cb s4',
      'free s1',
      'free s2',
      'free s3',
      'free s4',
    ]);
  });

  it('after the 17th key the table has grown: bucket 0 split into 0 and 8', () => {
    // Keys 00..0f hash to 0..15, and 10 (16) goes to bucket 0 behind 00. Inserting the 17th
    // key first expands (load 16·256/8 = 512 ≥ 512): bucket 0 splits by hash % 16 — 00 and 10
    // stay (16 % 16 = 0), 08 moves to the new bucket 8. doall then visits 8 (s9) before 7..1.
    const ids = [...Array.from({ length: 16 }, (_, i) => i.toString(16).padStart(2, '0')), '10'];
    const calls = [...withIds(ids), { fn: 'SSL_CTX_free', ctx: 'c1' } as const];
    const cbs = lastEvents(openssl111, calls)?.filter((e) => e.startsWith('cb'));
    // Buckets 8..1 after the split: 8: [08], 7: [07, 0f], … 1: [01, 09], 0: [00, 10].
    expect(cbs).toEqual([
      'cb s9',
      'cb s8',
      'cb s16',
      'cb s7',
      'cb s15',
      'cb s6',
      'cb s14',
      'cb s5',
      'cb s13',
      'cb s4',
      'cb s12',
      'cb s3',
      'cb s11',
      'cb s2',
      'cb s10',
      'cb s1',
      'cb s17',
    ]);
  });
});

describe('openssl-1.1.1: eviction keeps exactly the cache size, oldest insert first', () => {
  it('a cache of size 2 holds 2 sessions and evicts the oldest', () => {
    const calls: Call[] = [
      ...withIds(['01', '02', '03']).slice(0, 2),
      { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 2n },
      ...withIds(['01', '02', '03']).slice(2),
      { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
    ];
    const run = runCalls(modelOf(openssl111), calls);
    expect(run.steps.at(-1)?.outcome.ret).toEqual({ t: 'int', v: 2n });
    const adds = run.steps.filter((s) => s.call.fn === 'SSL_CTX_add_session');
    expect(adds.at(-1)?.outcome.events).toEqual([
      { ev: 'remove_cb', ctx: 'c1', s: 's1' },
      { ev: 'free', s: 's1' },
    ]);
  });
});

describe('profile selection', () => {
  it('a 1.1.1 version string selects openssl-1.1.1, a 3.0 one openssl-3.0', () => {
    expect(selectProfile(undefined, 'OpenSSL 1.1.1w  11 Sep 2023').profile.name).toBe('openssl-1.1.1');
    expect(selectProfile(undefined, 'OpenSSL 3.0.19 27 Jan 2026').profile.name).toBe('openssl-3.0');
    expect(() => selectProfile(undefined, 'BoringSSL')).toThrow(/no profile/);
    expect(selectProfile('openssl-1.1.1', 'OpenSSL 3.0.19').profile.name).toBe('openssl-1.1.1');
  });
});
