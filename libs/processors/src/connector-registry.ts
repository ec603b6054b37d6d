import { AuthorizationRequest, AuthorizationResult, AuthorizeOptions, ConnectorKind, ProcessorConnector, ProcessorProfile } from './connector';

/**
 * The one connector the cascade calls: it hands each call to the connector the processor's
 * `connector` field names.
 */
export class ConnectorRegistry implements ProcessorConnector {
  constructor(private readonly connectors: Readonly<Record<ConnectorKind, ProcessorConnector>>) {}

  private connectorFor(processor: ProcessorProfile): ProcessorConnector | undefined {
    return this.connectors[processor.connector];
  }

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const connector = this.connectorFor(processor);
    // Profiles are folded from stored events, so a kind this build does not know can still turn up;
    // like any broken processor it fails the attempt, not the cascade.
    if (!connector) return { outcome: 'error', durationMs: 0, message: `no connector for kind "${processor.connector}"` };
    return connector.authorize(processor, request, options);
  }
}
