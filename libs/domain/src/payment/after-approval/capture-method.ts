/**
 * How a checkout session's payment takes the money (API.md "Checkout sessions"): `automatic`,
 * the approval captures it (a sale); `manual`, the approval only authorizes (a hold) that the
 * merchant captures or voids later (API.md "After the approval").
 */
export const CAPTURE_METHODS = ['automatic', 'manual'] as const;

export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

/** What a session or payment recorded before capture methods existed means. */
export const DEFAULT_CAPTURE_METHOD: CaptureMethod = 'automatic';

/** An authorization not captured within this long is voided by the service (AuthorizationExpired). */
export const AUTHORIZATION_VALIDITY_MS = 7 * 24 * 3_600_000;
