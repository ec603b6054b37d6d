import { SealedSecret, SecretsKeyEvent, domainEventOf, fold, secretsKeyDecider, signingSecrets, webhookEndpointDecider, processorDecider, latestSecretsKey } from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(secretsKeyDecider, { now });
const registered = (keyId: string): SecretsKeyEvent => ({ type: 'SecretsKeyRegistered', data: { key_id: keyId, registered_at: now.toISOString() } });
const sealed: SealedSecret = { key_id: 'sk_a', iv: 'aXY', ciphertext: 'c2VhbGVk', tag: 'dGFn' };

describe('the secrets key register', () => {
  it('records a key the first time it seals', () => {
    spec.given([]).when({ type: 'RegisterSecretsKey', keyId: 'sk_a' }).then([registered('sk_a')]);
  });

  it('records nothing while the register ends with the key', () => {
    spec.given([registered('sk_a')]).when({ type: 'RegisterSecretsKey', keyId: 'sk_a' }).then([]);
  });

  it('records a key again when it comes back after another, so the latest is the one sealing now', () => {
    spec.given([registered('sk_a'), registered('sk_b')]).when({ type: 'RegisterSecretsKey', keyId: 'sk_a' }).then([registered('sk_a')]);
    expect(latestSecretsKey(fold(secretsKeyDecider, [registered('sk_a'), registered('sk_b'), registered('sk_a')]))).toBe('sk_a');
  });
});

describe('signing secrets of version-1 events', () => {
  it('reads a processor secret stored in clear as a clear secret, and a sealed one as it is', () => {
    const v1 = { type: 'ProcessorConnected', data: { processor_id: 'proc_stg_1', http: { url: 'https://psp.example/a', secret: 'psp_clear' } }, metadata: { schema_version: 1 } };
    expect(domainEventOf(v1).data).toMatchObject({ http: { url: 'https://psp.example/a', secret: { clear: 'psp_clear' } } });
    const v2 = { ...v1, data: { ...v1.data, http: { url: 'https://psp.example/a', secret: sealed } }, metadata: { schema_version: 2 } };
    expect(domainEventOf(v2).data).toMatchObject({ http: { secret: sealed } });
  });

  it('upcasts the http secret of a version-1 ProcessorUpdated, and leaves changes without http alone', () => {
    const update = (changes: object) => domainEventOf({ type: 'ProcessorUpdated', data: { processor_id: 'proc_stg_1', changes, updated_at: '' }, metadata: { schema_version: 1 } }).data;
    expect(update({ http: { url: 'https://psp.example/b', secret: 'psp_new' } })).toMatchObject({ changes: { http: { secret: { clear: 'psp_new' } } } });
    expect(update({ name: 'Renamed' })).toEqual({ processor_id: 'proc_stg_1', changes: { name: 'Renamed' }, updated_at: '' });
    expect(update({ http: null })).toMatchObject({ changes: { http: null } });
  });

  it('folds an endpoint created and rotated in clear into clear signing secrets, a rotation since sealed beside them', () => {
    const stored = [
      { type: 'WebhookEndpointCreated', data: { endpoint_id: 'we_stg_1', account_id: 'acc_stg_a', url: 'https://shop.example/h', events: ['*'], description: null, status: 'enabled', secret: 'whsec_old', created_at: now.toISOString() } },
      { type: 'WebhookEndpointSecretRotated', data: { endpoint_id: 'we_stg_1', secret: sealed, previous_secret_expires_at: '2026-11-22T10:00:00.000Z', rotated_at: now.toISOString() }, metadata: { schema_version: 2 } },
    ];
    const state = stored.reduce((folded, event) => webhookEndpointDecider.evolve(folded, domainEventOf(event) as never), webhookEndpointDecider.initialState());
    if (state.status !== 'live') throw new Error('endpoint not live');
    expect(signingSecrets(state.endpoint, now)).toEqual([sealed, { clear: 'whsec_old' }]);
  });

  it('keeps a processor connected in clear signing after a PATCH of its name', () => {
    const connected = domainEventOf({ type: 'ProcessorConnected', data: { processor_id: 'proc_stg_1', account_id: 'acc_stg_a', connector: 'http', name: 'P', supported_currencies: [], supported_networks: [], fees: { percent: 0, fixed: 0 }, status: 'active', timeout_ms: 5000, simulator: null, http: { url: 'https://psp.example/a', secret: 'psp_clear' }, connected_at: '' } });
    const state = processorDecider.evolve(processorDecider.initialState(), connected as never);
    const [renamed] = processorDecider.decide({ type: 'UpdateProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', changes: { name: 'Q' } }, state, { now });
    expect(renamed.data).toEqual({ processor_id: 'proc_stg_1', changes: { name: 'Q' }, updated_at: now.toISOString() });
    expect(processorDecider.evolve(state, renamed)).toMatchObject({ processor: { name: 'Q', http: { secret: { clear: 'psp_clear' } } } });
  });
});
