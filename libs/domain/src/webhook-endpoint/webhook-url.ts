import ipaddr from 'ipaddr.js';
import { FieldError } from '../shared/errors';

/** What a webhook URL must satisfy beyond being an absolute http(s) URL; both hold in `prod`. */
export interface WebhookUrlPolicy {
  httpsOnly: boolean;
  /** Off with WEBHOOK_ALLOW_PRIVATE_URLS=true: the host must resolve to public addresses only. */
  publicAddressesOnly: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * The host a URL names, as a resolver takes it (an IPv6 literal without its brackets), or
 * undefined for a string that is not an absolute http(s) URL.
 */
export function webhookUrlHost(url: string): string | undefined {
  const parsed = parseHttpUrl(url);
  return parsed?.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Only global unicast addresses are public: loopback, private (RFC 1918, unique local),
 * link-local (cloud metadata at 169.254.169.254 among them), carrier-grade NAT, multicast,
 * reserved and the IPv6 ranges that embed an IPv4 address are not. An IPv4-mapped IPv6 address
 * counts as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * The rule of API.md "Webhooks" for an endpoint URL. `addresses`: what the URL's host resolved to
 * (webhookUrlHost), read by the caller when the policy asks for public addresses only; an IP
 * literal host is checked itself. No part of the URL is quoted back: its query may hold a token.
 */
export function webhookUrlErrors(url: string, policy: WebhookUrlPolicy, addresses: readonly string[]): FieldError[] {
  const field = 'url';
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return [{ field, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` }];
  const parsed = parseHttpUrl(url);
  if (!parsed) return [{ field, message: 'must be an absolute http or https URL' }];
  if (parsed.username !== '' || parsed.password !== '') return [{ field, message: 'must not hold a user name or password' }];
  if (policy.httpsOnly && parsed.protocol !== 'https:') return [{ field, message: 'must be an https URL' }];
  if (!policy.publicAddressesOnly) return [];
  const host = webhookUrlHost(url)!;
  const resolved = ipaddr.isValid(host) ? [host] : addresses;
  if (resolved.length === 0) return [{ field, message: 'must name a host that resolves' }];
  if (!resolved.every(isPublicAddress)) return [{ field, message: 'must not resolve to a loopback, private or link-local address' }];
  return [];
}

function parseHttpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
