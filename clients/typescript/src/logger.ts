/** Where the agent's messages go: warnings and errors to stderr; info when SWEEPD_LOG=info. */

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const defaultLogger: Logger = {
  info(message) {
    if (/^(info|debug)$/i.test(process.env.SWEEPD_LOG ?? "")) console.error(`sweepd: ${message}`);
  },
  warn(message) {
    console.error(`sweepd: ${message}`);
  },
  error(message) {
    console.error(`sweepd: ${message}`);
  },
};

/** Messages go nowhere. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
