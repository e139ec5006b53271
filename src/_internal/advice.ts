// The advice that closes the message of an opt-out error, for each place a
// caller can opt out from. The library throws with the `api` advice (an
// option of the builder it called); the CLI swaps it for the `cli` advice
// (its flag) before printing. The compat entry points never throw these
// codes: they have no such guard, as the packages they replace have none.

/** The codes whose guard a caller can switch off, and how, per caller context. */
export const OPT_OUT_ADVICE = {
  ERR_EXPIRE_LIMIT: {
    api: 'Pass { allowLongExpire: true } to go past 24 hours on purpose.',
    cli: 'Pass --allow-long-expire to go past 24 hours on purpose.',
  },
  ERR_TIMESTAMP_IN_PAST: {
    api: 'Pass { allowPastTimestamp: true } to build an already expired token on purpose.',
    cli: 'Pass --allow-past-timestamp to build an already expired token on purpose.',
  },
} as const;

/** A caller context that can opt out of a guard. */
export type AdviceContext = keyof (typeof OPT_OUT_ADVICE)[keyof typeof OPT_OUT_ADVICE];

/**
 * The message of an error with `code`, its advice rewritten for `context`.
 * Messages of other codes, or without the library's advice, come back as given.
 */
export function adviseFor(code: string, message: string, context: AdviceContext): string {
  const advice = (OPT_OUT_ADVICE as Record<string, Record<AdviceContext, string>>)[code];
  if (advice === undefined || !message.endsWith(advice.api)) return message;
  return message.slice(0, message.length - advice.api.length) + advice[context];
}
