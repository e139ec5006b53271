// Checks shared by the AccessToken2 builders. Each names the builder argument
// it rejects, so a caller reads "tokenExpire must be ..." rather than the name
// of an internal service field.
import { assertHexId, assertU32 } from '../_internal/assert.js';
import { AccessToken2 } from '../token2/access-token2.js';
import { tokenOptions, type BuildOptions } from './options.js';

/** App ID and certificate first, as every builder does. */
export function assertCredentials(appId: unknown, appCertificate: unknown): asserts appId is string {
  assertHexId(appId, 'appId');
  assertHexId(appCertificate, 'appCertificate');
}

/** Named privilege values: u32 counts of seconds from issueTs (privileges have no 24-hour cap). */
export function assertPrivilegeValues(values: Readonly<Record<string, unknown>>): void {
  for (const [argument, value] of Object.entries(values)) assertU32(value, argument);
}

/** A new AccessToken2 for arguments the builder has already checked. */
export function newToken(appId: string, appCertificate: string, expire: number, options: BuildOptions | undefined): AccessToken2 {
  return new AccessToken2(appId, appCertificate, expire, tokenOptions(options));
}
