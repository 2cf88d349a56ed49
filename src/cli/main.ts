#!/usr/bin/env node
/**
 * Entry point of the `ockham` command (Node only). All logic is in run.ts so tests can call it
 * in-process; this file only wires process.argv and the exit code.
 */
import { run } from './run.js';

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
