#!/usr/bin/env node
// The session-oracle command: runs the compiled CLI (built by `npm install` through `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'session-oracle: not built yet; run `npm install` (or `npm run build`) in the package first\n',
  );
  process.exit(2);
}
// A reader that closes the pipe early (`… | head`) must not turn into a crash; the exit code
// still reports the verdict.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
