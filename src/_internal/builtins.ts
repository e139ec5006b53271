// node:crypto and node:zlib, loaded on first use instead of at import time.
// Importing the package then costs little for a program that imports it at
// start-up and builds its first token later; the first token pays the load
// once (a few milliseconds), as an eager import would have at start-up.
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
type Zlib = typeof import('node:zlib');

// process.getBuiltinModule exists from Node 20.16; 20.15 takes the fallback.
// A builtin resolves the same from any base path, so '/' serves as the base.
const loadBuiltin: (id: string) => unknown =
  typeof process.getBuiltinModule === 'function'
    ? (id) => process.getBuiltinModule(id)
    : createRequire('/');

let crypto: Crypto | undefined;
let zlib: Zlib | undefined;

export function nodeCrypto(): Crypto {
  return (crypto ??= loadBuiltin('node:crypto') as Crypto);
}

export function nodeZlib(): Zlib {
  return (zlib ??= loadBuiltin('node:zlib') as Zlib);
}
