/** The pure scheduler core (no I/O). */
export * from './types.js';
export { decide, decideSubmitted, holdsLease, retryDelayMs, checkInvariants } from './machine.js';
export { IllegalTransitionError } from './transitions.js';
