import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { readFile } from 'node:fs/promises';
import { FieldError, RouteDefinition, accountDecider, applyRouteDefaults, eventOfStream, evolveStored, processorDecider, streamName, validateRouteDefinition } from '@payments/domain';
import { EventStore, readStreamToArray } from '@payments/event-store/event-store';
// The API's own checks of a route body, so a file is refused exactly as POST /v1/processor-routes would refuse it.
import { flattenValidationErrors } from '../../../api/src/http/request-validation.pipe';
import { CreateProcessorRouteDto } from '../../../api/src/routes/processor-route.dto';
import { SetupError } from '../output';

export interface CandidateRoute {
  definition: RouteDefinition;
  /** The account whose processors the route lists, and whose payments it is tried on. */
  accountId: string;
}

/**
 * Reads a route as the body of POST /v1/processor-routes and checks it as that request is
 * checked: its shape (the API's DTO), then the domain's rules against the processors of the
 * account that owns the first processor it lists (now). Every broken rule is reported with its
 * field path.
 */
export async function loadCandidateRoute(file: string, events: EventStore): Promise<CandidateRoute> {
  let body: unknown;
  try {
    body = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new SetupError(`cannot read the route in ${file}: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SetupError(`${file}: the route must be a JSON object`);
  const dto = plainToInstance(CreateProcessorRouteDto, body);
  const shape = flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: true } }));
  if (shape.length > 0) throw invalidRoute(file, shape);
  const definition = applyRouteDefaults(dto);
  const accountId = await ownerOf(events, definition.processors.map((processor) => processor.processor_id));
  const accountProcessors = accountId === undefined ? [] : await connectedProcessors(events, accountId);
  const errors = validateRouteDefinition(definition, accountProcessors);
  if (errors.length > 0 || accountId === undefined) throw invalidRoute(file, errors);
  return { definition, accountId };
}

function invalidRoute(file: string, errors: readonly FieldError[]): SetupError {
  return new SetupError(`${file} is not a valid route:\n${errors.map((error) => `  ${error.field}: ${error.message}`).join('\n')}`);
}

/** The account of the first listed processor that exists. */
async function ownerOf(events: EventStore, processorIds: readonly string[]): Promise<string | undefined> {
  for (const id of processorIds) {
    const [first] = await readStreamToArray(events, streamName('processor', id), { maxCount: 1 });
    const connected = first && eventOfStream(first, 'processor');
    if (connected?.type === 'ProcessorConnected') return connected.data.account_id;
  }
  return undefined;
}

async function connectedProcessors(events: EventStore, accountId: string): Promise<{ id: string }[]> {
  let account = accountDecider.initialState();
  for (const event of await readStreamToArray(events, streamName('account', accountId))) account = evolveStored(accountDecider, account, event);
  if (account.status !== 'open') return [];
  const states = await Promise.all(
    account.account.processorIds.map(async (id) => (await readStreamToArray(events, streamName('processor', id))).reduce((state, event) => evolveStored(processorDecider, state, event), processorDecider.initialState())),
  );
  return states.flatMap((state) => (state.status === 'connected' ? [{ id: state.processor.id }] : []));
}
