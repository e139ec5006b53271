// Preloaded (node --require) into each upstream test process by
// scripts/upstream-tests.mjs. Two redirections, nothing else:
// - a bare dependency of the original package (crc-32, cuint, md5) resolves
//   from the copy our lockfile installed under node_modules/<package>;
// - in compat mode, a module of the original package that the compat entry
//   point replaces resolves to a shim that re-exports the compat entry point
//   under the original module's export names.
// The test files themselves are loaded unchanged.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const root = process.env.UPSTREAM_PACKAGE_ROOT;
const depsFrom = process.env.UPSTREAM_DEPS_FROM;
const shims = JSON.parse(process.env.UPSTREAM_SHIMS || '{}'); // absolute original file -> shim file (compat mode)
// The package's modules this process asked for (relative paths, test files aside), and which of them
// went to compat, for the driver's report.
globalThis.__upstreamLoaded = { original: new Set(), compat: new Set() };

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  const fromPackage = parent && typeof parent.filename === 'string' && parent.filename.startsWith(root + path.sep);
  const bare = !request.startsWith('.') && !path.isAbsolute(request) && !Module.isBuiltin(request);
  if (fromPackage && bare) return require.resolve(request, { paths: [depsFrom] });
  const file = resolve.call(this, request, parent, isMain, options);
  const relative = path.relative(root, file);
  if (file.startsWith(root + path.sep) && !relative.startsWith(`test${path.sep}`)) {
    globalThis.__upstreamLoaded[Object.hasOwn(shims, file) ? 'compat' : 'original'].add(relative);
  }
  return Object.hasOwn(shims, file) ? shims[file] : file;
};
