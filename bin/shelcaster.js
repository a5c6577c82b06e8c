#!/usr/bin/env node
// The `shelcaster` command: registers tsx, then runs the TypeScript CLI (trace/cli.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('#trace/cli');
process.exitCode = await main(process.argv.slice(2));
