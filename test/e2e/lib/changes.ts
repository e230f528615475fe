// What a Pulumi operation changed, from its engine events: "<op> <type>::<name>" for every step that is not `same`.
import type { EngineEvent } from "@pulumi/pulumi/automation";

export class ChangeLog {
  private readonly steps: string[] = [];

  readonly onEvent = (event: EngineEvent): void => {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata || metadata.op === "same" || metadata.op === "read") return;
    const name = metadata.urn.slice(metadata.urn.lastIndexOf("::") + 2);
    this.steps.push(`${metadata.op} ${metadata.type}::${name}`);
  };

  /** Sorted, de-duplicated steps, without component resources (which only group their children). */
  changed(): string[] {
    return [...new Set(this.steps)].filter((step) => !step.includes(" books-platform:")).sort();
  }
}
