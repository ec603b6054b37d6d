import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  WEBHOOK_SECRET_OVERLAP_MS,
  WebhookEndpointCommand,
  WebhookEndpointSettings,
  notFound,
  webhookEndpointDecider,
} from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { SEALED_SECRETS, SealedSecrets } from '../secrets/sealed-secrets';
import { ID_GENERATOR } from '../tokens';
import { WebhookEndpointChange, newWebhookSecret, webhookEndpointStream } from './webhook-endpoint-stream';
import { WebhookUrlChecker } from './webhook-url-checker';

/** How often a change re-reads the endpoint and decides again after a concurrent write: each decision is made whole again. */
const RETRIES = 5;

async function runEndpointCommand(runner: CommandRunner, command: WebhookEndpointCommand, metadata: CommandMetadata, retries = RETRIES): Promise<WebhookEndpointChange> {
  const result = await runner.run(webhookEndpointStream(command.endpointId), webhookEndpointDecider, command, { metadata, retries });
  if (result.state.status === 'none') throw notFound(`no webhook endpoint ${command.endpointId}`);
  return { endpoint: result.state.endpoint, position: result.position };
}

export class CreateWebhookEndpoint {
  constructor(
    readonly accountId: string,
    readonly settings: Omit<WebhookEndpointSettings, 'status'>,
    readonly metadata: CommandMetadata,
  ) {}
}

/** Answers the endpoint with its secret, which the caller shows once. */
@CommandHandler(CreateWebhookEndpoint)
export class CreateWebhookEndpointHandler implements ICommandHandler<CreateWebhookEndpoint, WebhookEndpointChange> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly urls: WebhookUrlChecker,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SEALED_SECRETS) private readonly secrets: SealedSecrets,
  ) {}

  async execute({ accountId, settings, metadata }: CreateWebhookEndpoint): Promise<WebhookEndpointChange> {
    const urlCheck = await this.urls.check(settings.url);
    const endpointId = this.ids.next('we');
    const secret = newWebhookSecret();
    const sealed = await this.secrets.seal(secret, webhookEndpointStream(endpointId));
    // A new id's stream has no other writer: a conflict would be an id collision, never worth a retry.
    const change = await runEndpointCommand(this.runner, { type: 'CreateWebhookEndpoint', endpointId, accountId, settings, secret: sealed, urlCheck }, metadata, 0);
    return { ...change, secret };
  }
}

export class UpdateWebhookEndpoint {
  constructor(
    readonly accountId: string,
    readonly endpointId: string,
    readonly changes: Partial<WebhookEndpointSettings>,
    readonly metadata: CommandMetadata,
  ) {}
}

/** A new URL is resolved and checked again; pending deliveries go to the URL the endpoint has at their next try. */
@CommandHandler(UpdateWebhookEndpoint)
export class UpdateWebhookEndpointHandler implements ICommandHandler<UpdateWebhookEndpoint, WebhookEndpointChange> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly urls: WebhookUrlChecker,
  ) {}

  async execute({ accountId, endpointId, changes, metadata }: UpdateWebhookEndpoint): Promise<WebhookEndpointChange> {
    const urlCheck = changes.url === undefined ? undefined : await this.urls.check(changes.url);
    return runEndpointCommand(this.runner, { type: 'UpdateWebhookEndpoint', endpointId, accountId, changes, urlCheck }, metadata);
  }
}

export class RotateWebhookEndpointSecret {
  constructor(
    readonly accountId: string,
    readonly endpointId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

/** Answers the endpoint with its new secret; the one it replaces keeps signing beside it for 24 h. */
@CommandHandler(RotateWebhookEndpointSecret)
export class RotateWebhookEndpointSecretHandler implements ICommandHandler<RotateWebhookEndpointSecret, WebhookEndpointChange> {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(SEALED_SECRETS) private readonly secrets: SealedSecrets,
  ) {}

  async execute({ accountId, endpointId, metadata }: RotateWebhookEndpointSecret): Promise<WebhookEndpointChange> {
    const secret = newWebhookSecret();
    const sealed = await this.secrets.seal(secret, webhookEndpointStream(endpointId));
    const change = await runEndpointCommand(this.runner, { type: 'RotateWebhookEndpointSecret', endpointId, accountId, secret: sealed, overlapMs: WEBHOOK_SECRET_OVERLAP_MS }, metadata);
    return { ...change, secret };
  }
}

export class DeleteWebhookEndpoint {
  constructor(
    readonly accountId: string,
    readonly endpointId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

/** No delivery is made to a deleted endpoint again, pending ones included; its events and deliveries stay in the log. */
@CommandHandler(DeleteWebhookEndpoint)
export class DeleteWebhookEndpointHandler implements ICommandHandler<DeleteWebhookEndpoint, WebhookEndpointChange> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ accountId, endpointId, metadata }: DeleteWebhookEndpoint): Promise<WebhookEndpointChange> {
    return runEndpointCommand(this.runner, { type: 'DeleteWebhookEndpoint', endpointId, accountId }, metadata);
  }
}
