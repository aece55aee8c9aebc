/**
 * Handshakes through the lockstep: fixed sequences of real TLS 1.2 handshakes (full ones, each
 * between a new client and a new server, and resumptions, one client and one server shut down
 * and cleared in between), sent to an implementation with the model judging every answer and
 * without it. The sequences do not depend on the clock or the drawn ids, so both runs send the
 * same commands.
 */
import type { Command, SslHandle } from '../src/model/types.js';
import type { Implementation } from '../src/oracle/lockstep.js';
import { lockstepRate } from './lockstep.js';

const t = (n: number): SslHandle => `t${n}`;

/** `n` full handshakes: c1 serves, c2 connects; every pair shuts down and is freed. */
export const fullHandshakes = (n: number): Command[] => {
  const cmds: Command[] = [{ fn: 'SSL_CTX_new' }, { fn: 'SSL_CTX_new' }];
  for (let k = 0; k < n; k++) {
    const [c, s] = [t(2 * k + 1), t(2 * k + 2)];
    cmds.push(
      { fn: 'SSL_new', ctx: 'c2', role: 'client' },
      { fn: 'SSL_new', ctx: 'c1', role: 'server' },
      { fn: 'handshake', client: c, server: s, until: 'done' },
      { fn: 'SSL_shutdown', ssl: c },
      { fn: 'SSL_shutdown', ssl: s },
      { fn: 'SSL_free', ssl: c },
      { fn: 'SSL_free', ssl: s },
    );
  }
  return cmds;
};

/** One full handshake, then `n` resumptions by the same pair. */
export const resumptions = (n: number): Command[] => {
  const cmds: Command[] = [
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_new', ctx: 'c2', role: 'client' },
    { fn: 'SSL_new', ctx: 'c1', role: 'server' },
    { fn: 'handshake', client: t(1), server: t(2), until: 'done' },
  ];
  for (let k = 0; k < n; k++) {
    cmds.push(
      { fn: 'SSL_shutdown', ssl: t(1) },
      { fn: 'SSL_shutdown', ssl: t(2) },
      { fn: 'SSL_clear', ssl: t(1) },
      { fn: 'SSL_clear', ssl: t(2) },
      { fn: 'handshake', client: t(1), server: t(2), until: 'done' },
    );
  }
  return cmds;
};

export interface HandshakeRow {
  readonly kind: 'full' | 'resumed';
  readonly handshakes: number;
  readonly withoutModel: number;
  readonly withModel: number;
}

/** Handshakes per second of each kind, without and with the model. */
export const handshakeRates = async (impl: Implementation, n: number): Promise<HandshakeRow[]> => {
  const rows: HandshakeRow[] = [];
  for (const [kind, seq] of [
    ['full', fullHandshakes(n)],
    ['resumed', resumptions(n)],
  ] as const) {
    const hs = seq.filter((c) => c.fn === 'handshake').length;
    const perCall = hs / seq.length;
    await lockstepRate(impl, [seq.slice(0, Math.min(seq.length, 60))], true); // warm-up
    const without = await lockstepRate(impl, [seq], false);
    const withModel = await lockstepRate(impl, [seq], true);
    rows.push({
      kind,
      handshakes: hs,
      withoutModel: without.perSecond * perCall,
      withModel: withModel.perSecond * perCall,
    });
  }
  return rows;
};
