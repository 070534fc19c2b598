#!/usr/bin/env node
import 'reflect-metadata';
import { maskSecrets } from '@signup/adapters/logging';
import { runCommandLine } from './cli/handler-commands.js';

runCommandLine(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${maskSecrets(`signup-handler failed: ${error instanceof Error ? error.message : String(error)}`)}\n`);
    process.exit(1);
  },
);
