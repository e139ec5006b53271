// Installs the Node platform for the entry points built for Node (the root,
// the compat entries, the server and the CLI). This file, not the core, is
// where the one static Node import lives: `node:module`, whose createRequire
// loads node:crypto and node:zlib on first use where process.getBuiltinModule
// is missing (Node 20.15).
import { createRequire } from 'node:module';
import { createNodePlatform } from './_internal/platform/node.js';
import { installPlatform } from './_internal/platform/platform.js';

let require: ((id: string) => unknown) | undefined;

/** Makes the synchronous Node platform the one every unscoped call uses. */
export function useNodePlatform(): void {
  // A built-in resolves the same from any base path, so '/' serves as the base.
  installPlatform(createNodePlatform((id) => (require ??= createRequire('/'))(id)));
}
