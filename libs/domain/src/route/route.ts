import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, invalid, notFound } from '../shared/errors';
import { assertNoErrors } from '../shared/validation';
import { Processor } from '../processor/processor';
import { RouteDefinition, RouteDefinitionInput, RouteDefinitionPatch, applyRouteDefaults, patchRouteDefinition } from './route-definition';
import { validateRouteDefinition } from './validate-route-definition';

export type RouteEvent =
  /** `auth_rate` is absent in routes created before the auth_rate strategy existed. */
  | DomainEvent<'RouteCreated', { route_id: string; account_id: string; revision: number; created_at: string } & Omit<RouteDefinition, 'auth_rate'> & Partial<Pick<RouteDefinition, 'auth_rate'>>>
  /** `changes` holds only the fields that differ; `revision` is the route's revision after the change. */
  | DomainEvent<'RouteUpdated', { route_id: string; changes: Partial<RouteDefinition>; revision: number; updated_at: string }>
  | DomainEvent<'RouteAttachedToSession', { route_id: string; session_id: string }>
  | DomainEvent<'RouteDetachedFromSession', { route_id: string; session_id: string }>
  | DomainEvent<'RouteSetAsAccountDefault', { route_id: string; account_id: string }>
  | DomainEvent<'RouteUnsetAsAccountDefault', { route_id: string; account_id: string }>
  | DomainEvent<'RouteDeleted', { route_id: string; deleted_at: string }>;

/** The account's connected processors, looked up by the handler: a route may only list these. */
export type AccountProcessors = readonly Pick<Processor, 'id'>[];

export type RouteCommand =
  | { type: 'CreateRoute'; routeId: string; accountId: string; definition: RouteDefinitionInput; accountProcessors: AccountProcessors }
  | { type: 'UpdateRoute'; routeId: string; accountId: string; changes: RouteDefinitionPatch; accountProcessors: AccountProcessors }
  | { type: 'DeleteRoute'; routeId: string; accountId: string }
  | { type: 'AttachRouteToSession'; routeId: string; accountId: string; sessionId: string }
  | { type: 'DetachRouteFromSession'; routeId: string; accountId: string; sessionId: string }
  | { type: 'SetRouteAsAccountDefault'; routeId: string; accountId: string }
  /**
   * `claimsSeen` is `accountDefaultClaims` as read before the account moved its default away: a
   * higher count means the route is being made the default again, so the release records nothing.
   */
  | { type: 'UnsetRouteAsAccountDefault'; routeId: string; accountId: string; claimsSeen: number };

/** What the route stream knows of those that reference it. */
export interface RouteReferences {
  /** Checkout sessions that reference the route, in the order they attached. */
  sessionIds: string[];
  isAccountDefault: boolean;
  /** How many times the route was set as the account default: each setting is a claim that a concurrent release must not undo. */
  accountDefaultClaims: number;
}

export interface Route extends RouteDefinition, RouteReferences {
  id: string;
  accountId: string;
  /** 1 when created, +1 on every definition change; references do not change it. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type RouteState = { status: 'none' } | { status: 'active'; route: Route } | { status: 'deleted'; route: Route };

/** How many referencing session ids a refused delete names before it only counts the rest. */
const SESSIONS_NAMED = 3;

/**
 * The route stream counts its own references (sessions and the account default), so a delete and
 * a concurrent attach race on the stream's expected revision: one of them is refused.
 */
export const routeDecider: Decider<RouteCommand, RouteEvent, RouteState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    switch (command.type) {
      case 'CreateRoute': {
        if (state.status !== 'none') throw conflict(`route ${command.routeId} already exists`);
        const definition = applyRouteDefaults(command.definition);
        assertValid(definition, command.accountProcessors);
        return [
          {
            type: 'RouteCreated',
            data: { route_id: command.routeId, account_id: command.accountId, ...definition, revision: 1, created_at: now.toISOString() },
          },
        ];
      }
      case 'UpdateRoute': {
        const route = liveRoute(state, command);
        const definition = patchRouteDefinition(route, command.changes);
        assertValid(definition, command.accountProcessors);
        const changes = changedFields(route, definition);
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'RouteUpdated', data: { route_id: route.id, changes, revision: route.revision + 1, updated_at: now.toISOString() } }];
      }
      case 'DeleteRoute': {
        const route = liveRoute(state, command);
        const references = describeReferences(route);
        if (references) throw conflict(`route ${route.id} is still referenced by ${references}`);
        return [{ type: 'RouteDeleted', data: { route_id: route.id, deleted_at: now.toISOString() } }];
      }
      case 'AttachRouteToSession': {
        const route = referableRoute(state, command);
        if (route.sessionIds.includes(command.sessionId)) return [];
        return [{ type: 'RouteAttachedToSession', data: { route_id: route.id, session_id: command.sessionId } }];
      }
      case 'DetachRouteFromSession': {
        // A deleted route has no references left, so detaching from it records nothing.
        const route = ownRoute(state, command);
        if (!route.sessionIds.includes(command.sessionId)) return [];
        return [{ type: 'RouteDetachedFromSession', data: { route_id: route.id, session_id: command.sessionId } }];
      }
      case 'SetRouteAsAccountDefault': {
        // Recorded even when the route already is the default: each setting is a claim, and a
        // release that counted the claims before this one must leave the route referenced.
        const route = referableRoute(state, command);
        return [{ type: 'RouteSetAsAccountDefault', data: { route_id: route.id, account_id: route.accountId } }];
      }
      case 'UnsetRouteAsAccountDefault': {
        const route = ownRoute(state, command);
        if (!route.isAccountDefault || route.accountDefaultClaims > command.claimsSeen) return [];
        return [{ type: 'RouteUnsetAsAccountDefault', data: { route_id: route.id, account_id: route.accountId } }];
      }
    }
  },

  evolve(state, event) {
    if (event.type === 'RouteCreated') {
      const { route_id, account_id, revision, created_at, ...definition } = event.data;
      return {
        status: 'active',
        route: {
          id: route_id,
          accountId: account_id,
          ...definition,
          // Absent in routes created before the auth_rate strategy, which have no such settings.
          auth_rate: definition.auth_rate ?? null,
          revision,
          createdAt: created_at,
          updatedAt: created_at,
          sessionIds: [],
          isAccountDefault: false,
          accountDefaultClaims: 0,
        },
      };
    }
    if (state.status === 'none') return state;
    const route = state.route;
    switch (event.type) {
      case 'RouteUpdated':
        return { status: state.status, route: { ...route, ...event.data.changes, revision: event.data.revision, updatedAt: event.data.updated_at } };
      case 'RouteAttachedToSession':
        return { status: state.status, route: { ...route, sessionIds: [...route.sessionIds, event.data.session_id] } };
      case 'RouteDetachedFromSession':
        return { status: state.status, route: { ...route, sessionIds: route.sessionIds.filter((id) => id !== event.data.session_id) } };
      case 'RouteSetAsAccountDefault':
        return { status: state.status, route: { ...route, isAccountDefault: true, accountDefaultClaims: route.accountDefaultClaims + 1 } };
      case 'RouteUnsetAsAccountDefault':
        return { status: state.status, route: { ...route, isAccountDefault: false } };
      case 'RouteDeleted':
        return { status: 'deleted', route };
    }
  },
};

function assertValid(definition: RouteDefinition, accountProcessors: AccountProcessors): void {
  assertNoErrors(validateRouteDefinition(definition, accountProcessors), 'route definition');
}

/** The route of the command's account, deleted or not; another account's route reads as missing. */
function ownRoute(state: RouteState, command: { routeId: string; accountId: string }): Route {
  if (state.status === 'none' || state.route.accountId !== command.accountId) throw notFound(`no route ${command.routeId}`);
  return state.route;
}

/** Deleted routes 404 like missing ones. */
function liveRoute(state: RouteState, command: { routeId: string; accountId: string }): Route {
  const route = ownRoute(state, command);
  if (state.status === 'deleted') throw notFound(`no route ${command.routeId}`);
  return route;
}

/**
 * Sessions and the account name a route by id, so a missing or deleted one is an unknown
 * referenced id (422, as API.md says for the account default), not a missing target (404).
 */
function referableRoute(state: RouteState, command: { routeId: string; accountId: string }): Route {
  if (state.status !== 'active' || state.route.accountId !== command.accountId) throw invalid(`unknown route ${command.routeId}`);
  return state.route;
}

/** What still references the route, for the message of a refused delete; undefined when nothing does. */
function describeReferences({ sessionIds, isAccountDefault }: Route): string | undefined {
  const references: string[] = [];
  if (sessionIds.length > 0) {
    const more = sessionIds.length - SESSIONS_NAMED;
    const named = sessionIds.slice(0, SESSIONS_NAMED).join(', ');
    references.push(`checkout session${sessionIds.length > 1 ? 's' : ''} ${named}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (isAccountDefault) references.push('the account default');
  return references.length > 0 ? references.join(' and by ') : undefined;
}

/** Only the fields whose value differs, so a PATCH that changes nothing records nothing and keeps the revision. */
function changedFields(current: RouteDefinition, next: RouteDefinition): Partial<RouteDefinition> {
  const changes: Partial<RouteDefinition> = {};
  for (const key of Object.keys(next) as (keyof RouteDefinition)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(current[key])) (changes as Record<string, unknown>)[key] = next[key];
  }
  return changes;
}
