import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM and CommonJS from one build, with declarations for both.
    entry: {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
      'compat/agora-token': 'src/compat/agora-token.ts',
      'compat/agora-access-token': 'src/compat/agora-access-token.ts',
      // Web platform APIs only: no Node built-in is reachable from it.
      web: 'src/web.ts',
      // The token service as a Fetch handler: Web platform APIs only, like `web`.
      handler: 'src/handler.ts',
      // The browser client of the token server: fetch and timers only.
      'client/index': 'src/client/index.ts',
    },
    format: ['esm', 'cjs'],
    // One self-contained file per entry point: the root loads as a single
    // module. AgoraTokenError's instanceof works across the copies (see its
    // Symbol.hasInstance).
    splitting: false,
    dts: true,
    // Unminified, readable output: no source maps needed, and the package stays small.
    sourcemap: false,
    clean: true,
    target: 'node20',
    platform: 'node',
    // Keep `node:` on built-in imports: bundlers for workers mark `node:*` external.
    removeNodeProtocol: false,
    treeshake: true,
    // import.meta.url in the CommonJS build (the server finds its browser assets by it).
    shims: true,
  },
  {
    // The command line, ESM only; it imports the library through its own bundle.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    removeNodeProtocol: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
