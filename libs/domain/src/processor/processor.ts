import { CardNetwork } from '../card/networks';
import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError, conflict, invalid, notFound } from '../shared/errors';
import { assertNoErrors, nameErrors } from '../shared/validation';
import { categoryOf } from '../shared/streams';
import { SealedSecret, StoredSecret } from '../shared/sealed-secret';

export type ConnectorKind = 'simulator' | 'http';
export type ProcessorStatus = 'active' | 'unavailable';
export type SimulatorOutcome = 'approve' | 'decline' | 'timeout' | 'error';
export type SimulatorRefundOutcome = 'succeed' | 'fail';

export interface ProcessorFees {
  percent: number;
  fixed: number;
}

export interface SimulatorBehaviour {
  outcome: SimulatorOutcome;
  decline_code: string;
  latency_ms: number;
  approve_optimized_retry: boolean;
  /** With outcome timeout or error: approve and keep the charge although the answer is lost. */
  charge_on_timeout: boolean;
  refund_outcome: SimulatorRefundOutcome;
  /** 0..1, the share of payments approved; null: `outcome` alone decides. */
  approval_rate: number | null;
}

/** Added to the simulator settings within schema version 1, so events written before lack them. */
type LaterSimulatorFields = 'charge_on_timeout' | 'refund_outcome' | 'approval_rate';

/** The simulator settings as events and commands carry them: the later fields may be absent (their defaults). */
export type SimulatorSettingsData = Omit<SimulatorBehaviour, LaterSimulatorFields> & Partial<Pick<SimulatorBehaviour, LaterSimulatorFields>>;

/** The http settings as a merchant gives them: the secret in clear, which only the edge sees. */
export interface HttpEndpoint {
  url: string;
  /** Signs outbound authorization requests; stored (sealed) so signing survives restarts, never returned. */
  secret: string;
}

/** The http settings as events and the folded processor hold them: the secret sealed (or in clear from a version-1 event). */
export interface StoredHttpEndpoint {
  url: string;
  secret: StoredSecret;
}

/** Everything a merchant configures on a processor, as the API takes it (the http secret in clear). */
export interface ProcessorSettings {
  name: string;
  supported_currencies: string[];
  supported_networks: CardNetwork[];
  fees: ProcessorFees;
  status: ProcessorStatus;
  timeout_ms: number;
  simulator: SimulatorSettingsData | null;
  http: HttpEndpoint | null;
}

/** The settings as events store them: the shape of event data; the http secret sealed by the edge before the command. */
export interface StoredProcessorSettings extends Omit<ProcessorSettings, 'http'> {
  http: StoredHttpEndpoint | null;
}

export type ProcessorEvent =
  | DomainEvent<'ProcessorConnected', { processor_id: string; account_id: string; connector: ConnectorKind; connected_at: string } & StoredProcessorSettings>
  | DomainEvent<'ProcessorUpdated', { processor_id: string; changes: Partial<StoredProcessorSettings>; updated_at: string }>;

/** A PATCH as the API takes it: fields to replace, except `simulator`, whose given fields merge into the current behaviour. */
export type ProcessorSettingsPatch = Partial<Omit<ProcessorSettings, 'simulator'>> & { simulator?: Partial<SimulatorBehaviour> };

/** A PATCH as the decider takes it: a new http secret comes sealed. */
export type StoredProcessorSettingsPatch = Omit<ProcessorSettingsPatch, 'http'> & { http?: { url: string; secret: SealedSecret } | null };

/** The commands carry only sealed secrets: a secret in clear never reaches an event. */
export type ProcessorCommand =
  | {
      type: 'ConnectProcessor';
      processorId: string;
      accountId: string;
      connector: ConnectorKind;
      settings: Omit<ProcessorSettings, 'http'> & { http: { url: string; secret: SealedSecret } | null };
    }
  | { type: 'UpdateProcessor'; processorId: string; accountId: string; changes: StoredProcessorSettingsPatch };

/** A processor as folded from its stream: every setting there, defaults applied. */
export interface Processor extends Omit<StoredProcessorSettings, 'simulator'> {
  simulator: SimulatorBehaviour | null;
  id: string;
  accountId: string;
  connector: ConnectorKind;
  createdAt: string;
  updatedAt: string;
}

export type ProcessorState = { status: 'none' } | { status: 'connected'; processor: Processor };

export const DEFAULT_SIMULATOR: SimulatorBehaviour = {
  outcome: 'approve',
  decline_code: '05',
  latency_ms: 0,
  approve_optimized_retry: false,
  charge_on_timeout: false,
  refund_outcome: 'succeed',
  approval_rate: null,
};

/** Simulator settings with the defaults of the fields they may lack (those of an event written before the field existed). */
export function withSimulatorDefaults(simulator: SimulatorSettingsData): SimulatorBehaviour {
  return {
    ...simulator,
    charge_on_timeout: simulator.charge_on_timeout ?? DEFAULT_SIMULATOR.charge_on_timeout,
    refund_outcome: simulator.refund_outcome ?? DEFAULT_SIMULATOR.refund_outcome,
    approval_rate: simulator.approval_rate ?? DEFAULT_SIMULATOR.approval_rate,
  };
}

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
              // Written in full, so that only events from before these fields existed lack them.
              simulator: command.settings.simulator && withSimulatorDefaults(command.settings.simulator),
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
        // A null later field (charge_on_timeout, refund_outcome, approval_rate) sets it back to its default.
        const patch: Partial<StoredProcessorSettings> = simulator
          ? { ...replaced, simulator: withSimulatorDefaults({ ...(current.simulator ?? DEFAULT_SIMULATOR), ...definedFields(simulator) }) }
          : replaced;
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
        const { processor_id, account_id, connector, connected_at, simulator, ...settings } = event.data;
        return {
          status: 'connected',
          processor: {
            id: processor_id,
            accountId: account_id,
            connector,
            ...settings,
            simulator: simulator && withSimulatorDefaults(simulator),
            createdAt: connected_at,
            updatedAt: connected_at,
          },
        };
      }
      case 'ProcessorUpdated': {
        if (state.status === 'none') return state;
        const { simulator, ...changes } = event.data.changes;
        return {
          status: 'connected',
          processor: {
            ...state.processor,
            ...changes,
            ...(simulator !== undefined && { simulator: simulator && withSimulatorDefaults(simulator) }),
            updatedAt: event.data.updated_at,
          },
        };
      }
    }
  },
};

export const MAX_PROCESSOR_NAME_LENGTH = 200;

/** A connector's own settings must be there, and another connector's must not; the name is the shared name rule's. */
function assertConnectorSettings(connector: ConnectorKind, settings: StoredProcessorSettings): void {
  assertNoErrors(nameErrors('name', settings.name, MAX_PROCESSOR_NAME_LENGTH), 'processor');
  if (settings.simulator) assertNoErrors(simulatorErrors(withSimulatorDefaults(settings.simulator)), 'processor');
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

const REFUND_OUTCOMES: readonly unknown[] = ['succeed', 'fail'] satisfies SimulatorRefundOutcome[];

/** The rules between simulator settings (API.md "Processors"), checked on the settings after a PATCH is merged. */
function simulatorErrors(simulator: SimulatorBehaviour): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof simulator.charge_on_timeout !== 'boolean') {
    errors.push({ field: 'simulator.charge_on_timeout', message: 'must be true or false' });
  } else if (simulator.charge_on_timeout && simulator.outcome !== 'timeout' && simulator.outcome !== 'error') {
    errors.push({ field: 'simulator.charge_on_timeout', message: 'applies only with outcome timeout or error; set it to false to change the outcome' });
  }
  if (!REFUND_OUTCOMES.includes(simulator.refund_outcome)) errors.push({ field: 'simulator.refund_outcome', message: 'must be succeed or fail' });
  const rate = simulator.approval_rate;
  if (rate !== null && !(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    errors.push({ field: 'simulator.approval_rate', message: 'must be a number from 0 to 1, or null' });
  }
  return errors;
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Only the fields whose value differs, so a PATCH that changes nothing records nothing. */
function changedSettings(current: StoredProcessorSettings, changes: Partial<StoredProcessorSettings>): Partial<StoredProcessorSettings> {
  const result: Partial<StoredProcessorSettings> = {};
  for (const key of Object.keys(changes) as (keyof StoredProcessorSettings)[]) {
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
 * processor's or a webhook endpoint's signing secret is stored (sealed, or in clear in events of
 * before sealing) because signing needs it after a restart, but is shown to no one, not even
 * sealed; nor is an API token's hash, which is unsalted, so a
 * hand-picked token could be guessed from it.
 */
export function redactSecrets(type: string, data: unknown): unknown {
  if (type === 'ProcessorConnected') return redactHttpSecret(data as { http: StoredHttpEndpoint | null });
  if (type === 'ProcessorUpdated') {
    const updated = data as { changes: { http?: StoredHttpEndpoint | null } };
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

function redactHttpSecret<T extends { http?: StoredHttpEndpoint | null }>(holder: T): T {
  return holder.http ? { ...holder, http: { ...holder.http, secret: REDACTED } } : holder;
}
