/**
 * A domain event as deciders produce it: a past-tense PascalCase `type` literal and its data.
 * Metadata (account, correlation, causation, request, schema version) is added by the
 * command handler when the event is stored, so deciders stay pure.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface EventMetadata {
  account_id?: string;
  correlation_id?: string;
  causation_id?: string;
  request_id?: string;
  schema_version: number;
  [key: string]: unknown;
}

export type EventOf<E extends DomainEvent, T extends E['type']> = Extract<E, { type: T }>;
