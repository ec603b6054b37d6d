/** Stream names are `<category>-<id>`; ids hold no `-`, so EventStoreDB's `$ce-<category>` works. */
export type StreamCategory = 'account' | 'account_token' | 'processor' | 'route' | 'checkout_session' | 'payment' | 'catalog' | 'promotion_code' | 'webhook_endpoint' | 'webhook_delivery' | 'recovery' | 'secrets_key';

export function streamName(category: StreamCategory, id: string): string {
  return `${category}-${id}`;
}

export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}
