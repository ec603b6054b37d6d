import { LookupAddress, lookup } from 'node:dns';
import { LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { WebhookUrlCheck, WebhookUrlPolicy, isPublicAddress, webhookUrlHost } from '@payments/domain';
import ipaddr from 'ipaddr.js';
import { Settings } from '../settings';
import { SETTINGS } from '../tokens';

/** API.md "Webhooks": in prod, https only, and public addresses only unless WEBHOOK_ALLOW_PRIVATE_URLS=true. */
export function webhookUrlPolicy(settings: Pick<Settings, 'env' | 'webhookAllowPrivateUrls'>): WebhookUrlPolicy {
  const prod = settings.env === 'prod';
  return { httpsOnly: prod, publicAddressesOnly: prod && !settings.webhookAllowPrivateUrls };
}

/**
 * Resolves a webhook URL's host when the policy asks for public addresses, so that the domain
 * can judge what it resolves to. A host that does not resolve gives no addresses (the domain
 * refuses it); elsewhere nothing is looked up.
 */
@Injectable()
export class WebhookUrlChecker {
  readonly policy: WebhookUrlPolicy;

  constructor(@Inject(SETTINGS) settings: Settings) {
    this.policy = webhookUrlPolicy(settings);
  }

  async check(url: string): Promise<WebhookUrlCheck> {
    const host = webhookUrlHost(url);
    if (!this.policy.publicAddressesOnly || host === undefined || ipaddr.isValid(host)) return { policy: this.policy, addresses: [] };
    const addresses = await new Promise<string[]>((resolve) => lookup(host, { all: true }, (error, found) => resolve(error ? [] : found.map(({ address }) => address))));
    return { policy: this.policy, addresses };
  }
}

/** The error a connection refused by publicAddressLookup fails with; a try's log names it. */
export const PRIVATE_ADDRESS = 'EPRIVATEADDRESS';

/**
 * A `lookup` for sockets that may reach public addresses only: the check is made on the very
 * addresses the socket then connects to, so a DNS answer that changed since the endpoint was
 * saved (or changes between two lookups, DNS rebinding) cannot point a delivery inside.
 */
export const publicAddressLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || !addresses.every(({ address }) => isPublicAddress(address))) {
      return callback(Object.assign(new Error('the host resolves to a loopback, private or link-local address'), { code: PRIVATE_ADDRESS }), '', 0);
    }
    if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};
