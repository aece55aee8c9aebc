/**
 * The trace format (spec/trace-format.md, version 1): a portable record of what an
 * implementation did, as JSON Lines. A header line, then one line per call: the call (encoded
 * exactly as in the driver protocol), its return value, the ordered events and, for the calls
 * that read the clock, `now`. Failure lines record a call the implementation failed to answer;
 * reset lines separate sequences.
 *
 * The io-ts codecs here are the only definition of the format; the TypeScript types are derived
 * from them, and the codecs of calls, return values and events are the driver protocol's.
 *
 * @category trace
 */
import * as t from 'io-ts';
import { CommandC, EventC, HexString, Int64String, RetC, reportErrors } from '../driver/protocol.js';
import type { ClauseId, Command, Observation, Outcome } from '../model/types.js';
import { CLOCK_READERS } from '../model/types.js';

/** The value of the header's `trace` field. */
export const TRACE_FORMAT = 'session-oracle';
/** The format version this module reads and writes. */
export const TRACE_VERSION = 1;

// ---- leaf codecs ----

/** A JSON number that is a safe integer (seeds). */
const SafeInteger = new t.Type<number, number, unknown>(
  'an integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const CLAUSE_ID = /^§[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[1-9][0-9]*$/;
/** A clause id, `§AREA-N` (the form of spec/'s headings). */
export const ClauseIdC = new t.Type<ClauseId, string, unknown>(
  'a clause id ("§AREA-N")',
  (u): u is ClauseId => typeof u === 'string' && CLAUSE_ID.test(u),
  (u, c) => (typeof u === 'string' && CLAUSE_ID.test(u) ? t.success(u as ClauseId) : t.failure(u, c)),
  String,
);

/** An observable outcome: the return value and the ordered events. */
export const OutcomeC = t.exact(t.type({ ret: RetC, events: t.array(EventC) }));

// ---- lines ----

/** The first line of every trace. */
export const TraceHeaderC = t.exact(
  t.intersection([
    t.type({
      trace: t.literal(TRACE_FORMAT),
      version: t.literal(TRACE_VERSION),
      /** The model profile the trace is judged by (`--profile` overrides it). */
      profile: t.string,
      /** What was traced, free text (a version string). */
      implementation: t.string,
    }),
    t.partial({
      /** The seed of the generator that chose the calls. */
      seed: SafeInteger,
      /** fast-check's replay path of a shrunk counterexample (`fuzz --replay`). */
      path: t.string,
      /** The command line that wrote the trace. */
      command: t.string,
    }),
  ]),
);
export type TraceHeader = t.TypeOf<typeof TraceHeaderC>;

/** One call and what the implementation did. `now` is required for the clock readers. */
export const TraceCallC = t.exact(
  t.intersection([
    t.type({ call: CommandC, ret: RetC, events: t.array(EventC) }),
    t.partial({ now: Int64String, later: Int64String, ids: t.array(HexString) }),
  ]),
);
export type TraceCall = t.TypeOf<typeof TraceCallC>;

/**
 * Informative fields of a divergent call line, written by the fuzzer and `record`: what the
 * model allowed and the clauses that decided it. Readers never rely on them.
 */
export const TraceNotesC = t.exact(t.partial({ expected: t.array(OutcomeC), clauses: t.array(ClauseIdC) }));
export type TraceNotes = t.TypeOf<typeof TraceNotesC>;

export const FailureKindC = t.keyof(
  { crash: null, hang: null, protocol: null, error: null },
  'one of "crash", "hang", "protocol", "error"',
);

/** A call the implementation failed to answer (crash, hang, protocol error, error answer). */
export const TraceFailureC = t.exact(
  t.type({ call: CommandC, failure: t.exact(t.type({ kind: FailureKindC, message: t.string })) }),
);
export type TraceFailure = t.TypeOf<typeof TraceFailureC>;

/** The implementation freed everything and restarts handle numbering at `s1`, `c1`. */
export const TraceResetC = t.exact(t.type({ reset: t.literal(true) }));

/** A decoded line. */
export type TraceLine =
  | { readonly kind: 'header'; readonly header: TraceHeader }
  | { readonly kind: 'call'; readonly line: TraceCall; readonly notes?: TraceNotes }
  | { readonly kind: 'failure'; readonly line: TraceFailure }
  | { readonly kind: 'reset' };

export type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: string };

const decode = <A>(codec: t.Decoder<unknown, A>, u: unknown): Decoded<A> => {
  const r = codec.decode(u);
  return r._tag === 'Right' ? { ok: true, value: r.right } : { ok: false, error: reportErrors(r.left) };
};

export const isClockReader = (fn: string): boolean => (CLOCK_READERS as readonly string[]).includes(fn);

const describeValue = (u: unknown): string => {
  const s = JSON.stringify(u) ?? String(u);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * Decodes one parsed JSON object as a trace line. The kind is told by its fields: `trace` or
 * `version` makes a header, `reset` a reset line, `failure` a failure line, anything else a call
 * line. Errors are one line naming the field (`field "ret.v": expected …, got …`).
 */
export function decodeTraceLine(u: Record<string, unknown>): Decoded<TraceLine> {
  const has = (k: string) => Object.hasOwn(u, k);
  if (has('trace') || has('version')) {
    if (has('version') && u.version !== TRACE_VERSION) {
      return {
        ok: false,
        error: `field "version": unknown trace format version ${describeValue(u.version)} (this reader knows version ${TRACE_VERSION})`,
      };
    }
    const h = decode(TraceHeaderC, u);
    return h.ok ? { ok: true, value: { kind: 'header', header: h.value } } : h;
  }
  if (has('reset')) {
    const r = decode(TraceResetC, u);
    return r.ok ? { ok: true, value: { kind: 'reset' } } : r;
  }
  if (has('failure')) {
    const f = decode(TraceFailureC, u);
    return f.ok ? { ok: true, value: { kind: 'failure', line: f.value } } : f;
  }
  const c = decode(TraceCallC, u);
  if (!c.ok) return c;
  if (c.value.now === undefined && isClockReader(c.value.call.fn)) {
    return { ok: false, error: `field "now": required for ${c.value.call.fn}, but it is missing` };
  }
  // Informative fields are kept when they are well formed and ignored otherwise.
  if (has('expected') || has('clauses')) {
    const n = decode(TraceNotesC, u);
    if (n.ok && Object.keys(n.value).length > 0) {
      return { ok: true, value: { kind: 'call', line: c.value, notes: n.value } };
    }
  }
  return { ok: true, value: { kind: 'call', line: c.value } };
}

/** Encodes a decoded line back to its JSON object (the inverse of `decodeTraceLine`). */
export function encodeTraceLine(l: TraceLine): Record<string, unknown> {
  switch (l.kind) {
    case 'header':
      return TraceHeaderC.encode(l.header);
    case 'reset':
      return TraceResetC.encode({ reset: true });
    case 'failure':
      return TraceFailureC.encode(l.line);
    case 'call':
      return l.notes === undefined
        ? TraceCallC.encode(l.line)
        : { ...TraceCallC.encode(l.line), ...TraceNotesC.encode(l.notes) };
  }
}

/** One line of text (without its newline). */
export const traceLineText = (l: TraceLine): string => JSON.stringify(encodeTraceLine(l));

/** The call line of a command and what was observed: `now` only for the clock readers. */
export const callLine = (cmd: Command, obs: Observation, notes?: TraceNotes): TraceLine => {
  const base = { call: cmd, ret: obs.outcome.ret, events: [...obs.outcome.events] };
  const line: TraceCall =
    obs.now === undefined || !isClockReader(cmd.fn)
      ? base
      : cmd.fn !== 'handshake'
        ? { ...base, now: obs.now }
        : {
            ...base,
            now: obs.now,
            ...(obs.later === undefined || obs.later === obs.now ? {} : { later: obs.later }),
            ids: [...(obs.ids ?? [])],
          };
  return notes === undefined ? { kind: 'call', line } : { kind: 'call', line, notes };
};

/** The notes of a divergent call: what the model allowed, and why. */
export const divergenceNotes = (allowed: readonly Outcome[], clauses: readonly ClauseId[]): TraceNotes => ({
  expected: allowed.map((o) => ({ ret: o.ret, events: [...o.events] })),
  clauses: [...clauses],
});
