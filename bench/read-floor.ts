/**
 * The floor for `session-oracle check`: read a trace with `readline`, as the checker does, and
 * JSON.parse each line; nothing else. Usage: node dist/bench/read-floor.js FILE
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: read-floor FILE');
const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
let lines = 0;
let keys = 0;
for await (const line of rl) {
  if (line.length === 0) continue;
  const v = JSON.parse(line) as Record<string, unknown>;
  keys += Object.keys(v).length;
  lines++;
}
process.stdout.write(`lines ${lines}, keys ${keys}\n`);
