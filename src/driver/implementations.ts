/**
 * Implementations the oracle can judge, behind one interface: the system libssl (or any
 * library with its ABI) in this process, and any TypeScript object with a synchronous `exec`.
 *
 * @category driver
 */
import type { LibsslPaths } from '../ffi/libssl.js';
import type { Command, Observation } from '../model/types.js';
import { type Implementation, ImplementationFailed } from '../oracle/lockstep.js';
import { ChildDriver, ImplementationFailure, spawnLibsslDriver } from './child.js';
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

/**
 * A child process speaking spec/driver-protocol.md, as an Implementation: its failures become
 * findings (`ImplementationFailed`), and a dead process is started again before the next
 * sequence, so one crash does not end the campaign.
 */
export const fromChild = (first: ChildDriver): Implementation & { readonly profile: string | undefined } => {
  let driver = first;
  const asFinding = (e: unknown): never => {
    if (e instanceof ImplementationFailure) throw new ImplementationFailed(e.kind, e.message);
    throw new ImplementationFailed('error', e instanceof Error ? e.message : String(e));
  };
  return {
    name: first.implementation,
    profile: first.profile,
    exec: (cmd) => driver.exec(cmd).catch(asFinding),
    reset: async () => {
      if (!driver.alive) driver = await driver.respawn();
      await driver.reset().catch(asFinding);
    },
    close: () => driver.close(),
  };
};

/** The library at `paths` (default: the system libssl) in a child process of its own. */
export const childLibssl = async (
  paths: LibsslPaths = {},
  callTimeoutMs = 5000,
): Promise<Implementation & { readonly profile: string | undefined }> =>
  fromChild(
    await spawnLibsslDriver({
      ...(paths.libssl === undefined ? {} : { lib: paths.libssl }),
      ...(paths.libcrypto === undefined ? {} : { libcrypto: paths.libcrypto }),
      callTimeoutMs,
    }),
  );

/** A driver program of any language, started with `sh -c`, speaking the line protocol. */
export const execDriver = async (
  command: string,
  callTimeoutMs = 5000,
): Promise<Implementation & { readonly profile: string | undefined }> =>
  fromChild(await ChildDriver.spawn(['/bin/sh', '-c', `exec ${command}`], { callTimeoutMs }));
