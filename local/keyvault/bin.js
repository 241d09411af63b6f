#!/usr/bin/env node
// `kv-emulator` launcher: runs cli.ts in this process through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
