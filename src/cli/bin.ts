// Entry point of the `agora-token-builder` executable.
import { main } from './main.js';

/** All of standard input; on a terminal, a prompt and one line typed without echo. */
function readStdin(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
      stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stdin.on('error', reject);
    });
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let line = '';
    const done = (text: string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(text);
    };
    const onData = (text: string) => {
      for (const char of text) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done(line);
        if (char === '\u0003') {
          done('');
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else line += char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

// A reader that stops early (`vectors print | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

let stop: AbortController | undefined;

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  env: process.env,
  readStdin,
  // Only a command that asks for it (serve) turns SIGTERM and SIGINT into a graceful stop.
  get signal(): AbortSignal {
    if (stop === undefined) {
      stop = new AbortController();
      for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => stop!.abort());
    }
    return stop.signal;
  },
};

void Promise.resolve(main(process.argv.slice(2), io)).then((status) => {
  process.exitCode = status;
  // Nothing else should keep the process alive once the command is done.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
});
