#!/usr/bin/env node
// meshguard's command line. The code is TypeScript, run through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../tools/cli/cli.ts");
process.exitCode = await main(process.argv.slice(2));
