#!/usr/bin/env node
// The `sentinel` command. Node 24 runs the TypeScript sources directly (type stripping).
import "../src/cli/index.ts";
