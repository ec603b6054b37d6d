/** An error as one line for a log: its message, or whatever was thrown as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
