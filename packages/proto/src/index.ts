/** @weft/proto: the contracts every other package shares. */
export * from './states.js';
export * from './errors.js';
export * from './dataset.js';
export * from './workflow.js';
export * from './catalogue.js';
export * from './validate.js';
export * from './tasks.js';
export * from './events.js';
export type * from './rest.js';
export * from './grpc.js';
export * from './grpc-errors.js';
