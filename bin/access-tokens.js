#!/usr/bin/env node
// The `access-tokens` CLI, also installed as `kubectl-access_tokens` (`kubectl access-tokens`).
import { main } from '../lib/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
