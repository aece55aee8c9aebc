/**
 * session-oracle's public API: the model, its profiles, the judge, and the lockstep fuzzer for
 * implementations written in TypeScript (or anything reachable from Node).
 *
 * @category api
 */

export {
  childLibssl,
  execDriver,
  fromSync,
  inProcessLibssl,
  type SyncImplementation,
} from './driver/implementations.js';
export { CLAUSES } from './model/clauses.js';
export { type Executed, type Model, modelOf, type Run, runCalls } from './model/model.js';
export { openssl30, PROFILES, type Profile, profileByName, type Rules } from './model/profile.js';
export { initialState, type State } from './model/state.js';
export { step } from './model/step.js';
export type {
  Call,
  CallName,
  ClauseId,
  Command,
  CtxHandle,
  Event,
  Observation,
  Outcome,
  Ret,
  SessionHandle,
  StepResult,
} from './model/types.js';
export { type FuzzOptions, type FuzzReport, fuzz } from './oracle/fuzz.js';
export {
  describeDivergence,
  judge,
  outcomeEquals,
  showCall,
  showOutcome,
  type Verdict,
} from './oracle/judge.js';
export {
  type Implementation,
  ImplementationFailed,
  runLockstep,
  type SequenceResult,
} from './oracle/lockstep.js';
