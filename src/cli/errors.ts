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

/**
 * A command's code is not in the bundle that runs (a one-command bundle reached another
 * command): the launcher runs the whole CLI instead. Thrown before anything is printed.
 */
export class CommandElsewhere extends Error {
  constructor() {
    super('this command is in the full CLI bundle');
    this.name = 'CommandElsewhere';
  }
}
