// The adapter process of `agora-token-builder conformance`: started once,
// one JSON request per line on its stdin, one JSON answer per line on its
// stdout, one request at a time, each answer awaited for at most a timeout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What came back for one request. */
export type Reply =
  | { readonly kind: 'answer'; readonly answer: Record<string, unknown> }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'gone'; readonly reason: string };

/** The adapter under test, as a child process. */
export class Adapter {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  private exitReason: string | undefined;
  private readonly sent = new Set<string>();
  private readonly closed: Promise<void>;

  /**
   * @param command - the program and its arguments.
   * @param onStderr - called with each line the adapter writes to its stderr.
   */
  constructor(command: readonly string[], onStderr: (line: string) => void) {
    const [program, ...args] = command;
    this.child = spawn(program!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A write to an adapter that has exited is reported by its exit, not as an error here.
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      this.lines.push(line);
      this.notify();
    });
    createInterface({ input: this.child.stderr, crlfDelay: Infinity }).on('line', onStderr);
    this.closed = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.exitReason ??= `the adapter could not be started: ${error.message}`;
        this.notify();
        resolve();
      });
      // 'close' comes after the last stdout line was read.
      this.child.on('close', (code, signal) => {
        this.exitReason ??= `the adapter exited (${signal === null ? `code ${code}` : `signal ${signal}`})`;
        this.notify();
        resolve();
      });
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Sends one request and waits for the answer with its id. Answers to
   * earlier requests (late, after a timeout) are skipped.
   */
  async request(id: string, message: Record<string, unknown>, timeoutMs: number): Promise<Reply> {
    if (this.exitReason !== undefined && this.lines.length === 0) return { kind: 'gone', reason: this.exitReason };
    this.sent.add(id);
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        if (line.trim() === '') continue;
        let answer: unknown;
        try {
          answer = JSON.parse(line);
        } catch {
          return { kind: 'malformed', reason: `the answer is not JSON: ${truncate(line)}` };
        }
        if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
          return { kind: 'malformed', reason: `the answer is not a JSON object: ${truncate(line)}` };
        }
        const answerId = (answer as Record<string, unknown>).id;
        if (answerId === id) return { kind: 'answer', answer: answer as Record<string, unknown> };
        if (typeof answerId === 'string' && answerId !== id && this.sent.has(answerId)) continue; // late answer
        return { kind: 'malformed', reason: `the answer's id is ${JSON.stringify(answerId)}, expected ${JSON.stringify(id)}` };
      }
      if (this.exitReason !== undefined) return { kind: 'gone', reason: `${this.exitReason} before answering` };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Closes the adapter's stdin (its signal to exit) and waits for it; kills it after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.exitReason === undefined) this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.closed, late]);
    clearTimeout(timer);
    await this.closed;
  }
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
