import {
  AuthorizationRequest,
  AuthorizationResult,
  AuthorizeOptions,
  CaptureRequest,
  ConnectorKind,
  OperationOptions,
  OperationResult,
  ProcessorConnector,
  ProcessorProfile,
  RefundRequest,
  StatusOptions,
  StatusResult,
  VoidRequest,
} from './connector';

/**
 * The one connector the cascade calls: it hands each call to the connector the processor's
 * `connector` field names.
 */
export class ConnectorRegistry implements ProcessorConnector {
  constructor(private readonly connectors: Readonly<Record<ConnectorKind, ProcessorConnector>>) {}

  // Profiles are folded from stored events, so a kind this build does not know can still turn up;
  // like any broken processor it fails the call, not the cascade. Nothing was sent, so the
  // answers are definite.
  private connectorFor(processor: ProcessorProfile): ProcessorConnector | undefined {
    return this.connectors[processor.connector];
  }

  private noConnector(processor: ProcessorProfile): string {
    return `no connector for kind "${processor.connector}"`;
  }

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const connector = this.connectorFor(processor);
    if (!connector) return { outcome: 'error', uncertain: false, durationMs: 0, message: this.noConnector(processor) };
    return connector.authorize(processor, request, options);
  }

  async capture(processor: ProcessorProfile, request: CaptureRequest, options: OperationOptions): Promise<OperationResult> {
    const connector = this.connectorFor(processor);
    if (!connector) return { outcome: 'failed', code: 'not_configured', durationMs: 0, message: this.noConnector(processor) };
    return connector.capture(processor, request, options);
  }

  async void(processor: ProcessorProfile, request: VoidRequest, options: OperationOptions): Promise<OperationResult> {
    const connector = this.connectorFor(processor);
    if (!connector) return { outcome: 'failed', code: 'not_configured', durationMs: 0, message: this.noConnector(processor) };
    return connector.void(processor, request, options);
  }

  async refund(processor: ProcessorProfile, request: RefundRequest, options: OperationOptions): Promise<OperationResult> {
    const connector = this.connectorFor(processor);
    if (!connector) return { outcome: 'failed', code: 'not_configured', durationMs: 0, message: this.noConnector(processor) };
    return connector.refund(processor, request, options);
  }

  async status(processor: ProcessorProfile, authorizationKey: string, options: StatusOptions): Promise<StatusResult> {
    const connector = this.connectorFor(processor);
    // Unknown, not not_found: a connector that cannot ask says nothing about what the processor did.
    if (!connector) return { outcome: 'unknown', durationMs: 0, message: this.noConnector(processor) };
    return connector.status(processor, authorizationKey, options);
  }
}
