/**
 * Opening the implementation a command judges: the system libssl or `--lib PATH`, in this
 * process or (by default) in a child process; or `--exec CMD`, a driver speaking the line
 * protocol of spec/driver-protocol.md.
 *
 * @category cli
 */
import { DriverSetupError } from '../driver/child.js';
import { childLibssl, execDriver, inProcessLibssl } from '../driver/implementations.js';
import type { Implementation } from '../oracle/lockstep.js';

export interface ImplementationOptions {
  readonly lib?: string;
  readonly exec?: string;
  readonly inProcess: boolean;
  readonly callTimeoutMs: number;
}

/** A set-up failure of the implementation: the CLI reports it in one line, exit code 2. */
export class SetupError extends Error {}

export const openImplementation = async (
  o: ImplementationOptions,
): Promise<Implementation & { readonly profile?: string | undefined }> => {
  const paths = o.lib === undefined ? {} : { libssl: o.lib };
  try {
    if (o.exec !== undefined) return await execDriver(o.exec, o.callTimeoutMs);
    if (o.inProcess) return inProcessLibssl(paths);
    return await childLibssl(paths, o.callTimeoutMs);
  } catch (e) {
    if (e instanceof DriverSetupError) throw new SetupError(e.message);
    throw e;
  }
};
