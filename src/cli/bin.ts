#!/usr/bin/env node
import { installSignalHandlers, main } from './main.js';

// `mailpki inspect chain.pem | head -1`: a closed pipe ends the output, not the process with a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

installSignalHandlers();
process.exitCode = await main(process.argv.slice(2));
