// Timed steps of the engine suites (test:e2e, test:cluster): each is printed as it ends and kept, in order, for the
// suite's summary and the results file `npm run bench` publishes.
export class Timings {
  readonly entries: [string, number][] = [];

  constructor(private readonly print: (line: string) => void) {}

  async time<T>(label: string, body: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await body();
    } finally {
      const seconds = (Date.now() - started) / 1000;
      this.entries.push([label, seconds]);
      this.print(`⏱ ${label}: ${seconds.toFixed(1)} s`);
    }
  }
}
