/** Who asked for a command: copied into every event's metadata. */
export interface CommandMetadata {
  accountId?: string;
  /** The id of the whole business flow (a request, a payment); defaults to the command id. */
  correlationId?: string;
  /** The id of the message (request or event) that caused this command. */
  causationId?: string;
  requestId?: string;
}
