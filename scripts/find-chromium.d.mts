// Types of scripts/find-chromium.mjs, for test/helpers/chromium.ts.
export declare const CHROMIUM_NAMES: readonly string[];
export declare const CHROMIUM_DEFAULT: string;
export type ChromiumFound = { path: string; from: 'CHROMIUM' | 'PATH' | 'default' } | { path: undefined; message: string };
export declare function findChromium(env?: Record<string, string | undefined>, isExecutable?: (file: string) => boolean): ChromiumFound;
export declare function chromiumPath(env?: Record<string, string | undefined>): string;
