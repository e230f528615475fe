// What a Pulumi operation changed, from its engine events: "<op> <type>::<name>" for every step that is not `same`.
import type { EngineEvent } from '@pulumi/pulumi/automation';

/** A replacement shows up as several steps (create-replacement, replace, delete-replaced): one "replace" here. */
const REPLACEMENT_STEPS = new Set(['create-replacement', 'replace', 'delete-replaced']);

export class ChangeLog {
  private readonly steps: string[] = [];

  readonly onEvent = (event: EngineEvent): void => {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata || metadata.op === 'same' || metadata.op === 'read') return;
    const name = metadata.urn.slice(metadata.urn.lastIndexOf('::') + 2);
    const op = REPLACEMENT_STEPS.has(metadata.op) ? 'replace' : metadata.op;
    this.steps.push(`${op} ${metadata.type}::${name}`);
  };

  /** Sorted, de-duplicated steps, without component resources (which only group their children). */
  changed(): string[] {
    return [...new Set(this.steps)].filter((step) => !step.includes(' books-platform:')).sort();
  }
}
