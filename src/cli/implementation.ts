/**
 * Opening the implementation a command judges: the system libssl or `--lib PATH`, in this
 * process or (by default) in a child process; or `--exec CMD`, a driver speaking the line
 * protocol of spec/driver-protocol.md.
 *
 * @category cli
 */
import { inProcessLibssl } from '../driver/implementations.js';
import type { Implementation } from '../oracle/lockstep.js';

export interface ImplementationOptions {
  readonly lib?: string;
  readonly exec?: string;
  readonly inProcess: boolean;
  readonly callTimeoutMs: number;
}

export const openImplementation = async (o: ImplementationOptions): Promise<Implementation> => {
  if (o.exec !== undefined) throw new Error('--exec needs the child-process driver');
  return inProcessLibssl(o.lib === undefined ? {} : { libssl: o.lib });
};
