export * from './address.js';
export * from './deadline.js';
export * from './errors.js';
export * from './listener-base.js';
export * from './private-directory.js';
export type * from './types.js';
