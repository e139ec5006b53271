// Types of test/runtimes/handler-flow.mjs, for test/deploy-examples.test.ts.
export declare const APP_ID: string;
export declare const APP_CERTIFICATE: string;
export declare const SESSION_SECRET: string;
export declare const UUID: string;
export declare const HANDLER_FLOW_CHECKS: number;
export declare const DEPLOY_FLOW_CHECKS: number;
export interface FlowResult {
  passed: number;
  failed: number;
  failures: string[];
}
export declare function createService(handlerModule: unknown): { fetch(request: Request): Promise<Response>; removeAlice(): Promise<boolean> };
export declare function runHandlerFlow(options: {
  call: (path: string, init: RequestInit) => Promise<Response>;
  prefix?: string;
  removeAlice?: () => Promise<boolean>;
  lib: { verifyToken(token: string, certificate: string): unknown; decodeToken(token: string): unknown };
}): Promise<FlowResult>;
