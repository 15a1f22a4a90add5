/**
 * The rotation rule shared by the synth (which derives and checks the CronJob's schedule) and
 * the runtime (which decides whether a stored token is due): kubelet's rule for projected
 * tokens, replace after 80% of the lifetime, with runs at most 10% of the lifetime apart, so
 * that a token is replaced between 80% and 90% of its life and one failed run still leaves
 * another chance before it expires. Pure: no cdk8s, no client-node.
 */

/** A stored token is replaced once this fraction of its lifetime (`exp - iat`) has passed. */
export const ROTATE_AFTER_FRACTION = 0.8;

/** Rotation runs are at most this fraction of the token's lifetime apart. */
export const MAX_RUN_GAP_FRACTION = 0.1;

/** When a token issued at `iat` and expiring at `exp` (seconds since the epoch) is due. */
export function rotationDueAt(iat: number, exp: number): number {
  return iat + ROTATE_AFTER_FRACTION * (exp - iat);
}
