import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccountsModule, TokenDirectory, hashToken } from '@payments/orchestration';
import { TOKEN_RESOLVER, TokenResolver } from '../http/principal';
import { PaymentMethodsController } from '../payment-methods/payment-methods.controller';
import { ProcessorsController } from '../processors/processors.controller';
import { SandboxBootstrap } from '../sandbox/sandbox.bootstrap';
import { AccountsController } from './accounts.controller';

/** Accounts, processors and payment methods over HTTP; global so the auth guard can resolve tokens. */
@Global()
@Module({
  imports: [CqrsModule, AccountsModule],
  controllers: [AccountsController, ProcessorsController, PaymentMethodsController],
  providers: [
    SandboxBootstrap,
    {
      provide: TOKEN_RESOLVER,
      inject: [TokenDirectory],
      useFactory: (directory: TokenDirectory): TokenResolver => ({
        async resolve(token) {
          const owner = await directory.owner(token);
          return owner && { kind: owner.kind, accountId: owner.accountId, tokenId: hashToken(token).slice(0, 16) };
        },
      }),
    },
  ],
  exports: [TOKEN_RESOLVER],
})
export class AccountsApiModule {}
