/**
 * JSON for calls and outcomes: 64-bit integers travel as decimal strings so no precision is
 * lost; everything else is as in the model's types.
 *
 * @category trace
 */
export const toJson = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

export const jsonLine = (v: unknown): string => JSON.stringify(toJson(v));
