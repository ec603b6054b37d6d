import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ProcessorSettings, accountDecider, streamName } from '@payments/domain';
import {
  CommandRunner,
  ConnectProcessor,
  OpenAccount,
  OpenedAccount,
  SETTINGS,
  Settings,
  bindToken,
  hashToken,
} from '@payments/orchestration';

export interface SandboxState {
  accountId: string;
  created: boolean;
  /** Present only when the tokens are known to this process: set in the environment or just generated. */
  secretToken?: string;
  publishableToken?: string;
  /** True when this start generated the tokens: they will never be shown again. */
  generated: boolean;
}

const SANDBOX_PROCESSORS: ProcessorSettings[] = [
  sandboxProcessor('Sandbox Approver', { outcome: 'approve' }, { percent: 2.9, fixed: 30 }),
  sandboxProcessor('Sandbox Decliner', { outcome: 'decline', decline_code: '05' }, { percent: 2.5, fixed: 25 }),
  sandboxProcessor('Sandbox Optimized Retry', { outcome: 'approve', approve_optimized_retry: true }, { percent: 3.1, fixed: 20 }),
];

/**
 * API.md "Sandbox bootstrap": `acc_<env>_sandbox` exists whenever PAYMENTS_SANDBOX is not false,
 * with three simulated processors when first created. Tokens come from the environment or are
 * generated once, at creation, since only their hashes are kept.
 */
@Injectable()
export class SandboxBootstrap implements OnApplicationBootstrap {
  state?: SandboxState;

  constructor(
    private readonly commands: CommandBus,
    private readonly runner: CommandRunner,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.sandbox) this.state = await this.ensure();
  }

  private async ensure(): Promise<SandboxState> {
    const accountId = `acc_${this.settings.env}_sandbox`;
    const { sandboxSecretToken: secretToken, sandboxPublishableToken: publishableToken } = this.settings;
    const existing = await this.runner.load(streamName('account', accountId), accountDecider);
    if (existing.status === 'open') {
      if (secretToken) await bindToken(this.runner.store, { accountId, kind: 'secret' }, hashToken(secretToken));
      if (publishableToken) await bindToken(this.runner.store, { accountId, kind: 'publishable' }, hashToken(publishableToken));
      return { accountId, created: false, secretToken, publishableToken, generated: false };
    }
    const metadata = { accountId, correlationId: 'sandbox-bootstrap' };
    const opened = await this.commands.execute<OpenAccount, OpenedAccount>(
      new OpenAccount('Sandbox', metadata, { accountId, sandbox: true, secretToken, publishableToken }),
    );
    for (const settings of SANDBOX_PROCESSORS) {
      await this.commands.execute(new ConnectProcessor(accountId, 'simulator', settings, metadata));
    }
    return { accountId, created: true, secretToken: opened.secretToken, publishableToken: opened.publishableToken, generated: !secretToken };
  }
}

function sandboxProcessor(name: string, behaviour: Partial<NonNullable<ProcessorSettings['simulator']>>, fees: ProcessorSettings['fees']): ProcessorSettings {
  return {
    name,
    supported_currencies: [],
    supported_networks: [],
    fees,
    status: 'active',
    timeout_ms: 5000,
    simulator: { outcome: 'approve', decline_code: '05', latency_ms: 0, approve_optimized_retry: false, ...behaviour },
    http: null,
  };
}
