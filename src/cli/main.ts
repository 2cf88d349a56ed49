#!/usr/bin/env node
/**
 * Entry point of the `ockham` command (Node only). All logic is in run.ts so tests can call it
 * in-process; this file wires process.argv, the exit code, and output-stream failures.
 */
import { EXIT, run } from './run.js';

// `ockham report … | head` closes the pipe: end quietly, as Unix tools do. A full disk or
// /dev/full (ENOSPC) or any other write error: one clean line on stderr, exit 2, no stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.OK);
  try {
    process.stderr.write(`ockham: cannot write the output: ${e.code ?? ''} ${String(e.message).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}\n`);
  } catch {
    // stderr is gone too: nothing left to tell
  }
  process.exit(EXIT.INPUT);
});
// A closed stderr (progress bar into a dead pipe) must not crash the run either.
process.stderr.on('error', () => undefined);

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
