/**
 * ockham/node — Node-only helpers (file readers). The core entry `ockham` stays browser-safe.
 * @packageDocumentation
 */
export * from './index.js';
