// Logging to stderr (stdout is reserved for command output) and progress bars for long work.
import cliProgress from 'cli-progress';

export type LogLevel = 'quiet' | 'info' | 'verbose';

/** A minimal leveled logger writing to stderr. */
export interface Logger {
  level: LogLevel;
  info(message: string): void;
  verbose(message: string): void;
  warn(message: string): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return {
    level,
    info(message) {
      if (level !== 'quiet') write(message);
    },
    verbose(message) {
      if (level === 'verbose') write(message);
    },
    warn(message) {
      write(`warning: ${message}`);
    },
  };
}

/** A progress reporter: a live bar on a TTY, a few plain lines otherwise (logs, CI, subprocess tests). */
export interface Progress {
  tick(n?: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * Start a progress bar of `total` steps on stderr. `fields` are shown after the bar (e.g. best accuracy).
 * With `enabled: false` nothing is printed.
 */
export function startProgress(label: string, total: number, options: { enabled?: boolean; fields?: string[] } = {}): Progress {
  if (options.enabled === false || total <= 0) return { tick() {}, stop() {} };
  const extra = (options.fields ?? []).map((f) => ` ${f}={${f}}`).join('');
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}${extra}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, Object.fromEntries((options.fields ?? []).map((f) => [f, '-'])));
    let done = 0;
    return {
      tick(n = 1, fields) {
        done += n;
        bar.update(done, fields);
      },
      stop() {
        bar.stop();
      },
    };
  }
  // Not a terminal: print at most ~10 lines so logs stay readable.
  let done = 0;
  let nextReport = Math.ceil(total / 10);
  return {
    tick(n = 1, fields) {
      done += n;
      if (done >= nextReport || done === total) {
        const f = fields
          ? ' ' +
            Object.entries(fields)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')
          : '';
        process.stderr.write(`${label}: ${done}/${total}${f}\n`);
        nextReport = done + Math.ceil(total / 10);
      }
    },
    stop() {},
  };
}
