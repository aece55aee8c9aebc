/** Every property, by spec page. */
import { properties as add } from './add.js';
import { properties as connections, undefinedProperties as connUndefined } from './connections.js';
import { properties as context } from './context.js';
import { properties as external } from './external.js';
import { properties as flush } from './flush.js';
import type { ClauseProperty } from './harness.js';
import { properties as invariants } from './invariants.js';
import { properties as remove } from './remove.js';
import { properties as sessions } from './sessions.js';
import { properties as undef } from './undefined.js';

export const PAGES: Readonly<Record<string, readonly ClauseProperty[]>> = {
  'sessions.md': sessions,
  'context.md': context,
  'add.md': add,
  'remove.md': remove,
  'flush.md': flush,
  'connections.md': connections,
  'external.md': external,
  'undefined.md': [...undef, ...connUndefined],
  invariants,
};

export const ALL_PROPERTIES: readonly ClauseProperty[] = Object.values(PAGES).flat();
