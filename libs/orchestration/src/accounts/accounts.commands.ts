import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  Account,
  ConnectorKind,
  HttpEndpoint,
  IdGenerator,
  Processor,
  ProcessorSettings,
  ProcessorSettingsPatch,
  SealedSecret,
  accountDecider,
  assertDefaultProcessor,
  isSealed,
  notFound,
  processorDecider,
  streamName,
} from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { SEALED_SECRETS, SealedSecrets } from '../secrets/sealed-secrets';
import { CommandMetadata } from '../command-handling/handle-command';
import { Settings } from '../settings';
import { ID_GENERATOR, SETTINGS } from '../tokens';
import { AccountDefaultRoute } from './account-default-route';
import { bindToken, hashToken, newAccountToken } from './account-tokens';
import { AccountsReader } from './accounts.reader';

export class OpenAccount {
  constructor(
    readonly name: string,
    readonly metadata: CommandMetadata,
    /** The sandbox bootstrap chooses its id and may bring its own tokens. */
    readonly options: { accountId?: string; sandbox?: boolean; secretToken?: string; publishableToken?: string } = {},
  ) {}
}

export interface OpenedAccount {
  account: Account;
  /** Shown once: only their hashes are stored. */
  secretToken: string;
  publishableToken: string;
  /** Global position of AccountOpened, for read-your-writes on the accounts listing. */
  position: bigint;
}

@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount, OpenedAccount> {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async execute({ name, metadata, options }: OpenAccount): Promise<OpenedAccount> {
    const accountId = options.accountId ?? this.ids.next('acc');
    const result = await this.runner.run(
      streamName('account', accountId),
      accountDecider,
      { type: 'OpenAccount', accountId, name, sandbox: options.sandbox ?? false },
      { metadata: { ...metadata, accountId } },
    );
    if (result.state.status !== 'open' || result.position === undefined) throw new Error('account did not open');
    // The account exists before its tokens do: a crash in between leaves an account nobody can
    // call, never a token that names a missing account.
    const secretToken = options.secretToken ?? newAccountToken('secret', this.settings.env);
    const publishableToken = options.publishableToken ?? newAccountToken('publishable', this.settings.env);
    await bindToken(this.runner.store, { accountId, kind: 'secret' }, hashToken(secretToken));
    await bindToken(this.runner.store, { accountId, kind: 'publishable' }, hashToken(publishableToken));
    return { account: result.state.account, secretToken, publishableToken, position: result.position };
  }
}

export class ConnectProcessor {
  constructor(
    readonly accountId: string,
    readonly connector: ConnectorKind,
    readonly settings: ProcessorSettings,
    readonly metadata: CommandMetadata,
  ) {}
}

export interface ConnectedProcessor {
  processor: Processor;
  connectionOrder: number;
}

@CommandHandler(ConnectProcessor)
export class ConnectProcessorHandler implements ICommandHandler<ConnectProcessor, ConnectedProcessor> {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SEALED_SECRETS) private readonly secrets: SealedSecrets,
  ) {}

  async execute({ accountId, connector, settings, metadata }: ConnectProcessor): Promise<ConnectedProcessor> {
    const processorId = this.ids.next('proc');
    const stream = streamName('processor', processorId);
    // Sealed before the command: the event never holds the secret in clear.
    const http = settings.http && { url: settings.http.url, secret: await this.secrets.seal(settings.http.secret, stream) };
    const connected = await this.runner.run(
      stream,
      processorDecider,
      { type: 'ConnectProcessor', processorId, accountId, connector, settings: { ...settings, http } },
      { metadata },
    );
    if (connected.state.status !== 'connected') throw new Error('processor did not connect');
    // The account stream orders its processors; concurrent connects retry on its revision.
    const registered = await this.runner.run(
      streamName('account', accountId),
      accountDecider,
      { type: 'RegisterProcessor', accountId, processorId },
      { metadata, retries: 20 },
    );
    if (registered.state.status !== 'open') throw notFound(`no account ${accountId}`);
    return { processor: connected.state.processor, connectionOrder: registered.state.account.processorIds.indexOf(processorId) + 1 };
  }
}

export class UpdateProcessor {
  constructor(
    readonly accountId: string,
    readonly processorId: string,
    readonly changes: ProcessorSettingsPatch,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(UpdateProcessor)
export class UpdateProcessorHandler implements ICommandHandler<UpdateProcessor, Processor> {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(SEALED_SECRETS) private readonly secrets: SealedSecrets,
  ) {}

  async execute({ accountId, processorId, changes, metadata }: UpdateProcessor): Promise<Processor> {
    const stream = streamName('processor', processorId);
    const { http, ...rest } = changes;
    const sealed = http === undefined ? {} : { http: http && (await this.sealedHttp(stream, http)) };
    const result = await this.runner.run(
      stream,
      processorDecider,
      { type: 'UpdateProcessor', processorId, accountId, changes: { ...rest, ...sealed } },
      { metadata, retries: 5 },
    );
    if (result.state.status !== 'connected') throw notFound(`no processor ${processorId}`);
    return result.state.processor;
  }

  /**
   * The http settings with the secret sealed; the current seal when the secret is the one the
   * processor has, since each seal differs and the PATCH would otherwise record a change of nothing.
   */
  private async sealedHttp(stream: string, http: HttpEndpoint): Promise<{ url: string; secret: SealedSecret }> {
    const state = await this.runner.load(stream, processorDecider);
    const current = state.status === 'connected' ? state.processor.http?.secret : undefined;
    if (current && isSealed(current) && this.opensTo(current, stream, http.secret)) return { url: http.url, secret: current };
    return { url: http.url, secret: await this.secrets.seal(http.secret, stream) };
  }

  private opensTo(current: SealedSecret, stream: string, secret: string): boolean {
    try {
      return this.secrets.open(current, stream) === secret;
    } catch {
      return false;
    }
  }
}

export class SetAccountDefaults {
  constructor(
    readonly accountId: string,
    /** Each default: `undefined` leaves it as is, `null` clears it. */
    readonly defaults: { processorId?: string | null; routeId?: string | null },
    readonly metadata: CommandMetadata,
  ) {}
}

export interface AccountDefaultsSet {
  account: Account;
  /** Global position of the last event written, for read-your-writes; undefined when nothing changed. */
  position: bigint | undefined;
}

@CommandHandler(SetAccountDefaults)
export class SetAccountDefaultsHandler implements ICommandHandler<SetAccountDefaults, AccountDefaultsSet> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
    private readonly defaultRoute: AccountDefaultRoute,
  ) {}

  async execute({ accountId, defaults: { processorId, routeId }, metadata }: SetAccountDefaults): Promise<AccountDefaultsSet> {
    // Checked before the route moves, so a refused processor leaves both defaults as they were.
    if (processorId !== undefined) assertDefaultProcessor(await this.accounts.account(accountId), processorId);
    let position = routeId === undefined ? undefined : await this.defaultRoute.change(accountId, routeId, metadata);
    if (processorId !== undefined) {
      const result = await this.runner.run(streamName('account', accountId), accountDecider, { type: 'SetDefaultProcessor', accountId, processorId }, { metadata, retries: 5 });
      position = result.position ?? position;
    }
    return { account: await this.accounts.account(accountId), position };
  }
}
