import { CardNetwork } from '../card/networks';
import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, invalid, notFound } from '../shared/errors';
import { assertNoErrors, nameErrors } from '../shared/validation';
import { categoryOf } from '../shared/streams';

export type ConnectorKind = 'simulator' | 'http';
export type ProcessorStatus = 'active' | 'unavailable';
export type SimulatorOutcome = 'approve' | 'decline' | 'timeout' | 'error';

export interface ProcessorFees {
  percent: number;
  fixed: number;
}

export interface SimulatorBehaviour {
  outcome: SimulatorOutcome;
  decline_code: string;
  latency_ms: number;
  approve_optimized_retry: boolean;
}

export interface HttpEndpoint {
  url: string;
  /** Signs outbound authorization requests; stored so signing survives restarts, never returned. */
  secret: string;
}

/** Everything a merchant configures on a processor; the shape of event data and of PATCH. */
export interface ProcessorSettings {
  name: string;
  supported_currencies: string[];
  supported_networks: CardNetwork[];
  fees: ProcessorFees;
  status: ProcessorStatus;
  timeout_ms: number;
  simulator: SimulatorBehaviour | null;
  http: HttpEndpoint | null;
}

export type ProcessorEvent =
  | DomainEvent<'ProcessorConnected', { processor_id: string; account_id: string; connector: ConnectorKind; connected_at: string } & ProcessorSettings>
  | DomainEvent<'ProcessorUpdated', { processor_id: string; changes: Partial<ProcessorSettings>; updated_at: string }>;

/** A PATCH: fields to replace, except `simulator`, whose given fields merge into the current behaviour. */
export type ProcessorSettingsPatch = Partial<Omit<ProcessorSettings, 'simulator'>> & { simulator?: Partial<SimulatorBehaviour> };

export type ProcessorCommand =
  | { type: 'ConnectProcessor'; processorId: string; accountId: string; connector: ConnectorKind; settings: ProcessorSettings }
  | { type: 'UpdateProcessor'; processorId: string; accountId: string; changes: ProcessorSettingsPatch };

export interface Processor extends ProcessorSettings {
  id: string;
  accountId: string;
  connector: ConnectorKind;
  createdAt: string;
  updatedAt: string;
}

export type ProcessorState = { status: 'none' } | { status: 'connected'; processor: Processor };

export const DEFAULT_SIMULATOR: SimulatorBehaviour = { outcome: 'approve', decline_code: '05', latency_ms: 0, approve_optimized_retry: false };

export const processorDecider: Decider<ProcessorCommand, ProcessorEvent, ProcessorState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    switch (command.type) {
      case 'ConnectProcessor':
        if (state.status !== 'none') throw conflict(`processor ${command.processorId} already exists`);
        assertConnectorSettings(command.connector, command.settings);
        return [
          {
            type: 'ProcessorConnected',
            data: {
              processor_id: command.processorId,
              account_id: command.accountId,
              connector: command.connector,
              ...command.settings,
              connected_at: now.toISOString(),
            },
          },
        ];
      case 'UpdateProcessor': {
        if (state.status === 'none' || state.processor.accountId !== command.accountId) {
          throw notFound(`no processor ${command.processorId}`);
        }
        const current = state.processor;
        const { simulator, ...replaced } = command.changes;
        const patch: Partial<ProcessorSettings> = simulator ? { ...replaced, simulator: { ...(current.simulator ?? DEFAULT_SIMULATOR), ...definedFields(simulator) } } : replaced;
        assertConnectorSettings(current.connector, { ...current, ...definedFields(patch) });
        const changes = changedSettings(current, patch);
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'ProcessorUpdated', data: { processor_id: command.processorId, changes, updated_at: now.toISOString() } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ProcessorConnected': {
        const { processor_id, account_id, connector, connected_at, ...settings } = event.data;
        return {
          status: 'connected',
          processor: { id: processor_id, accountId: account_id, connector, ...settings, createdAt: connected_at, updatedAt: connected_at },
        };
      }
      case 'ProcessorUpdated':
        if (state.status === 'none') return state;
        return { status: 'connected', processor: { ...state.processor, ...event.data.changes, updatedAt: event.data.updated_at } };
    }
  },
};

export const MAX_PROCESSOR_NAME_LENGTH = 200;

/** A connector's own settings must be there, and another connector's must not; the name is the shared name rule's. */
function assertConnectorSettings(connector: ConnectorKind, settings: ProcessorSettings): void {
  assertNoErrors(nameErrors('name', settings.name, MAX_PROCESSOR_NAME_LENGTH), 'processor');
  if (connector === 'http' && settings.http === null) {
    throw invalid('the http connector needs http settings', [{ field: 'http', message: 'required for the http connector' }]);
  }
  if (connector !== 'http' && settings.http !== null) {
    throw invalid(`http settings do not apply to the ${connector} connector`, [{ field: 'http', message: 'only for the http connector' }]);
  }
  if (connector !== 'simulator' && settings.simulator !== null) {
    throw invalid(`simulator settings do not apply to the ${connector} connector`, [{ field: 'simulator', message: 'only for the simulator connector' }]);
  }
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Only the fields whose value differs, so a PATCH that changes nothing records nothing. */
function changedSettings(current: ProcessorSettings, changes: Partial<ProcessorSettings>): Partial<ProcessorSettings> {
  const result: Partial<ProcessorSettings> = {};
  for (const key of Object.keys(changes) as (keyof ProcessorSettings)[]) {
    if (changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(current[key])) {
      (result as Record<string, unknown>)[key] = changes[key];
    }
  }
  return result;
}

/** Whether a processor can take a currency and network (empty lists mean all). */
export function supportsCurrency(processor: Pick<ProcessorSettings, 'supported_currencies'>, currency: string): boolean {
  return processor.supported_currencies.length === 0 || processor.supported_currencies.includes(currency);
}

export function supportsNetwork(processor: Pick<ProcessorSettings, 'supported_networks'>, network: CardNetwork): boolean {
  return processor.supported_networks.length === 0 || processor.supported_networks.includes(network);
}

const REDACTED = '[redacted]';

/**
 * Event data as it may leave the service (exports, audit feeds, the event stream API): a
 * processor's or a webhook endpoint's signing secret is stored because signing needs it after a
 * restart, but is shown to no one; nor is an API token's hash, which is unsalted, so a
 * hand-picked token could be guessed from it.
 */
export function redactSecrets(type: string, data: unknown): unknown {
  if (type === 'ProcessorConnected') return redactHttpSecret(data as { http: HttpEndpoint | null });
  if (type === 'ProcessorUpdated') {
    const updated = data as { changes: { http?: HttpEndpoint | null } };
    return { ...updated, changes: redactHttpSecret(updated.changes) };
  }
  if (type === 'AccountTokenRegistered') return { ...(data as object), token_hash: REDACTED };
  // A webhook endpoint's signing secret: shown once when created or rotated, never in an event.
  if (type === 'WebhookEndpointCreated' || type === 'WebhookEndpointSecretRotated') return { ...(data as object), secret: REDACTED };
  return data;
}

/** A stream name as it may leave the service: a token's stream is named by the token's hash (see redactSecrets). */
export function redactStreamName(stream: string): string {
  return categoryOf(stream) === 'account_token' ? `account_token-${REDACTED}` : stream;
}

function redactHttpSecret<T extends { http?: HttpEndpoint | null }>(holder: T): T {
  return holder.http ? { ...holder, http: { ...holder.http, secret: REDACTED } } : holder;
}
