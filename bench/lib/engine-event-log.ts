// Follows the event log that `pulumi up --event-log FILE` writes (one JSON engine event per line, each written as it
// happens, as the Automation API reads it) and stamps every event with the time it reached the bench: the events'
// own timestamps are whole seconds, too coarse for steps of 0.1–5 s. Not the Automation API's reader: it polls the
// file every 200 ms.
import { closeSync, openSync, readSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { EngineEvent } from '@pulumi/pulumi/automation';
import type { TimedEngineEvent } from './up-steps';

const CHUNK_BYTES = 64 * 1024;

export class EngineEventLog {
  private readonly events: TimedEngineEvent[] = [];
  private readonly fd: number;
  private readonly watcher: FSWatcher;
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunk = Buffer.alloc(CHUNK_BYTES);
  private offset = 0;
  private pending = '';
  /** A line that was not an event, kept for {@link close}: thrown from the watch callback it would end the bench. */
  private broken: Error | undefined;
  private stopped = false;

  /** Creates `path` empty and follows it: the CLI then appends to it. */
  constructor(readonly path: string) {
    writeFileSync(path, '');
    this.fd = openSync(path, 'r');
    // inotify here: a callback per write, on the bench's event loop, which idles while it awaits the CLI.
    this.watcher = watch(path, () => this.readNew());
  }

  private readNew(): void {
    const atMs = performance.now();
    for (let read = this.readChunk(); read > 0; read = this.readChunk()) {
      this.pending += this.decoder.write(this.chunk.subarray(0, read));
    }
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines.filter((text) => text.trim() !== '')) {
      const event = parseEvent(line);
      if (event) this.events.push({ atMs, event });
      else this.broken ??= new Error(`${this.path} has a line that is not an engine event: ${line.slice(0, 200)}`);
    }
  }

  private readChunk(): number {
    const read = readSync(this.fd, this.chunk, 0, CHUNK_BYTES, this.offset);
    this.offset += read;
    return read;
  }

  /** Every event so far, in the order written: call it once the CLI has exited. */
  read(): TimedEngineEvent[] {
    this.readNew();
    if (this.broken) throw this.broken;
    if (this.pending.trim() !== '')
      throw new Error(`${this.path} ends in an unfinished line: ${this.pending.slice(0, 200)}`);
    return [...this.events];
  }

  /** Stops following the file (again: nothing). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watcher.close();
    closeSync(this.fd);
  }
}

/** The event on a line, or undefined when the line is not JSON or not an engine event (no sequence number). */
function parseEvent(line: string): EngineEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const isEvent =
    typeof parsed === 'object' && parsed !== null && typeof (parsed as { sequence?: unknown }).sequence === 'number';
  return isEvent ? (parsed as EngineEvent) : undefined;
}
