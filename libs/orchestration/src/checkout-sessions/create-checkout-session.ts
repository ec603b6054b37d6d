import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  CheckoutSession,
  CheckoutSessionRequest,
  DomainError,
  IdGenerator,
  checkoutSessionDecider,
  invalid,
  priceSession,
  sessionRouteIds,
  streamName,
  unknownRouteErrors,
  validateCheckoutSessionRequest,
} from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { ID_GENERATOR } from '../tokens';
import { SessionReferencesLookup } from './session-references-lookup';
import { SessionRouteReferences } from './session-route-references';

export class CreateCheckoutSession {
  constructor(
    readonly accountId: string,
    readonly request: CheckoutSessionRequest,
    readonly metadata: CommandMetadata,
  ) {}
}

export interface CreatedCheckoutSession {
  session: CheckoutSession;
  /** Global position of CheckoutSessionCreated, for read-your-writes on the sessions list. */
  position: bigint;
}

/**
 * Checks the request, looks up and prices what it names, attaches the session to its routes,
 * then records the session. Every refusal comes before the first attach, but one: a route
 * deleted between the look-up and the attach, which is 422 like any unknown route.
 */
@CommandHandler(CreateCheckoutSession)
export class CreateCheckoutSessionHandler implements ICommandHandler<CreateCheckoutSession, CreatedCheckoutSession> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly lookup: SessionReferencesLookup,
    private readonly routes: SessionRouteReferences,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute({ accountId, request, metadata: requested }: CreateCheckoutSession): Promise<CreatedCheckoutSession> {
    // Rules that need no look-up first, so a malformed request costs no reads.
    const requestErrors = validateCheckoutSessionRequest(request);
    if (requestErrors.length > 0) throw invalid('the checkout session is invalid', requestErrors);
    const references = await this.lookup.lookUp(accountId, request);
    const { tiers } = priceSession(accountId, request, references);
    const sessionId = this.ids.next('cs');
    const metadata = { ...requested, accountId };
    const routeIds = sessionRouteIds({ processor_route_id: request.processor_route_id ?? null, tiers });
    // A route deleted since the look-up refuses as a whole; the request's fields say where the client named it.
    await this.routes.attach(accountId, sessionId, routeIds, metadata, (routeId, error) =>
      error instanceof DomainError && error.kind === 'invalid' ? invalid('the checkout session names unknown ids', unknownRouteErrors(request, [routeId])) : error,
    );
    try {
      const created = await this.runner.run(
        streamName('checkout_session', sessionId),
        checkoutSessionDecider,
        { type: 'CreateCheckoutSession', sessionId, accountId, request, references },
        { metadata },
      );
      if (created.state.status !== 'created' || created.position === undefined) throw new Error(`checkout session ${sessionId} was not recorded`);
      return { session: created.state.session, position: created.position };
    } catch (error) {
      await this.routes.releaseOrLog(accountId, sessionId, routeIds, metadata);
      throw error;
    }
  }
}
