// Chromium for the browser tests: the CHROMIUM environment variable, then
// `chromium`, `chromium-browser` or `google-chrome` on PATH, then
// /usr/bin/chromium. The logic lives in scripts/find-chromium.mjs, which the
// runtime matrix (scripts/runtimes.mjs) and .ci/run use too.
export { CHROMIUM_DEFAULT, CHROMIUM_NAMES, chromiumPath, findChromium, type ChromiumFound } from '../../scripts/find-chromium.mjs';

/** Arguments for a headless Chromium in a container or CI: no sandbox, GPU, first-run or background traffic. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
