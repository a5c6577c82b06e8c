#!/usr/bin/env node
// The `shelcaster` command: registers tsx, then runs the TypeScript CLI (infra/trace/cli.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/trace/cli.ts');
process.exitCode = await main(process.argv.slice(2));
