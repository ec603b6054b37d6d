import { SandboxState } from './sandbox.bootstrap';

/**
 * What start-up prints so a newcomer can call the API at once. This is deliberately plain
 * stdout, not the structured log: logs never carry tokens.
 */
export function sandboxBanner(state: SandboxState, baseUrl: string): string {
  const lines = [``, `Sandbox account ${state.accountId} ${state.created ? 'created' : 'ready'}.`];
  if (state.secretToken) {
    lines.push(`  secret token:      ${state.secretToken}`);
    if (state.publishableToken) lines.push(`  publishable token: ${state.publishableToken}`);
    if (state.generated) {
      lines.push(`  These tokens are shown once; only their hashes are stored. Keep them, or set SANDBOX_SECRET_TOKEN.`);
    }
    lines.push(``, `Try:`, `  curl -s ${baseUrl}/v1/processors -H "Authorization: Bearer ${state.secretToken}"`);
  } else {
    lines.push(
      `  Its tokens were printed when it was created (only their hashes are stored).`,
      `  To call it with a token of your choosing, restart with SANDBOX_SECRET_TOKEN=st_<env>_<at least 16 letters or digits>.`,
    );
  }
  lines.push(`API docs: ${baseUrl}/docs`, ``);
  return lines.join('\n');
}
