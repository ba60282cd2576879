/**
 * Ends the CLI with `code`, printing `message` (if any) to stderr, as docker's
 * cli.StatusError: 125 for daemon/flag errors, 126/127 for exec failures, else the
 * container's exit code.
 */
export class StatusError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
    this.name = 'StatusError';
  }
}
