/**
 * Helpers the subcommands share: the usage error (exit code 2), argument parsers, choosing the
 * model profile, and opening the implementation a command drives.
 *
 * @category cli
 */
import { InvalidArgumentError } from 'commander';
import { LibraryError } from '../ffi/libssl.js';
import { PROFILES, type Profile, profileByName } from '../model/profile.js';
import type { Implementation } from '../oracle/lockstep.js';
import { openImplementation, SetupError } from './implementation.js';

/** A usage or setup error: reported in one line, exit code 2. */
export class UsageError extends Error {}

export const positiveInt = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
  }
  return Number(v);
};

export const seedArg = (v: string) => {
  if (!/^-?\d+$/.test(v) || Number(v) < -(2 ** 31) || Number(v) >= 2 ** 31) {
    throw new InvalidArgumentError(`--seed must be a 32-bit integer, got "${v}"`);
  }
  return Number(v);
};

const known = (): string => PROFILES.map((x) => x.name).join(', ');

/** The profile named by `--profile`, or a usage error. */
export const namedProfile = (named: string): Profile => {
  const p = profileByName(named);
  if (!p) throw new UsageError(`unknown profile "${named}" (known: ${known()})`);
  return p;
};

/** The profile for an implementation: the one named, or the one its version string selects. */
export const selectProfile = (
  named: string | undefined,
  version: string,
): { profile: Profile; note?: string } => {
  if (named !== undefined) return { profile: namedProfile(named) };
  if (/^OpenSSL 3\.0\./.test(version)) return { profile: profileByName('openssl-3.0') as Profile };
  if (/^OpenSSL 1\.1\.1/.test(version)) return { profile: profileByName('openssl-1.1.1') as Profile };
  throw new UsageError(`no profile for "${version}"; name one with --profile (known: ${known()})`);
};

/** Options that choose the implementation a command drives. */
export interface ImplementationCliOptions {
  lib?: string;
  exec?: string;
  inProcess?: boolean;
  callTimeout: number;
}

/** Opens the implementation; a library that does not load or a driver that refuses is a usage error. */
export const openCliImplementation = async (
  o: ImplementationCliOptions,
): Promise<Implementation & { readonly profile?: string | undefined }> => {
  if (o.lib !== undefined && o.exec !== undefined)
    throw new UsageError('--lib and --exec exclude each other');
  try {
    return await openImplementation({
      ...(o.lib === undefined ? {} : { lib: o.lib }),
      ...(o.exec === undefined ? {} : { exec: o.exec }),
      inProcess: o.inProcess === true,
      callTimeoutMs: o.callTimeout,
    });
  } catch (e) {
    if (e instanceof LibraryError || e instanceof UsageError || e instanceof SetupError)
      throw new UsageError(e.message);
    throw e;
  }
};
