/**
 * Implementations the oracle can judge, behind one interface: the system libssl (or any
 * library with its ABI) in this process, and any TypeScript object with a synchronous `exec`.
 *
 * @category driver
 */
import type { LibsslPaths } from '../ffi/libssl.js';
import type { Command, Observation } from '../model/types.js';
import { type Implementation, ImplementationFailed } from '../oracle/lockstep.js';
import { InProcessDriver } from './inprocess.js';

/** A synchronous, in-process implementation (a TypeScript cache, the koffi driver). */
export interface SyncImplementation {
  exec(cmd: Command): Observation;
  close?(): void;
}

/** Adapts a factory of synchronous implementations; `reset` builds a fresh one. */
export const fromSync = (name: string, make: () => SyncImplementation): Implementation => {
  let current = make();
  return {
    name,
    exec: async (cmd) => {
      try {
        return current.exec(cmd);
      } catch (e) {
        throw new ImplementationFailed('error', e instanceof Error ? e.message : String(e));
      }
    },
    reset: async () => {
      current.close?.();
      current = make();
    },
    close: async () => current.close?.(),
  };
};

/** The library at `paths` (default: the system libssl), driven in this process through koffi. */
export const inProcessLibssl = (paths: LibsslPaths = {}): Implementation => {
  const first = InProcessDriver.open(paths);
  let made = false;
  return fromSync(first.version, () => {
    if (!made) {
      made = true;
      return first;
    }
    return InProcessDriver.open(paths);
  });
};
