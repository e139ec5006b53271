// Types of test/runtimes/deploy-examples.mjs, for test/deploy-examples.test.ts.
import type { Plugin } from 'esbuild';

export declare const DEPLOY_ENV: Readonly<{ AGORA_APP_ID: string; AGORA_APP_CERTIFICATE: string; AGORA_SESSION_SECRET: string }>;
export declare const PASSWORD: string;
export declare function entryFile(entry: string): string;
export declare const selfReference: Plugin;
export declare function deployExample(name: string): { lang: string; code: string };
export declare function bundleDeployExample(name: string, options: { platform: 'neutral' | 'browser' | 'node'; external?: string[] }): Promise<string>;
export declare function startServer(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; timeoutMs?: number },
): Promise<{ url: string; stop: () => Promise<void> }>;
