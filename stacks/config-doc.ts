/**
 * The generated parts of docs/configuration.md: the per-target defaults column (from the table in
 * targets.ts) and the list of keys (from the schema). `npx ts-node stacks/config-doc.ts` rewrites
 * the generated block; test/program/docs.test.ts fails when the document is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { stackConfigSchema } from './schema';
import { TargetDefaults, WorkloadSizes, targetDefaults, targetNames } from './targets';

export const docFile = path.join(__dirname, '..', 'docs', 'configuration.md');
const begin = '<!-- generated: target defaults (stacks/config-doc.ts) -->';
const end = '<!-- end generated -->';

/** Every key of the schema as a dotted path (`gateway.jwt.hs256Key`). */
export function configKeyPaths(schema: z.ZodType = stackConfigSchema, prefix = ''): string[] {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
    configKeyPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

const show = (value: string | number | boolean | undefined, none: string) =>
  value === undefined ? none : `\`${String(value)}\``;

const sizeOf = (sizes: WorkloadSizes, workload: keyof WorkloadSizes) => {
  const size = sizes[workload];
  return `${size.cpuRequest}/${size.memoryRequest} → ${size.cpuLimit}/${size.memoryLimit}`;
};

const rows: [string, (defaults: TargetDefaults) => string][] = [
  ['`kubernetes.context`', (d) => show(d.kubeContext, '**required**')],
  ['images pushed (`registry.server` required)', (d) => (d.pushImages ? 'yes' : 'no (local engine)')],
  ['`platform`', (d) => show(d.platform, "engine's own")],
  ['`gateway.serviceType`', (d) => show(d.gatewayServiceType, '')],
  ['`gateway.port`', (d) => show(d.gatewayPort, '')],
  ['`gateway.tlsPort` (with `gateway.tlsSecret`)', (d) => show(d.gatewayTlsPort, '')],
  [
    'gateway LoadBalancer annotations',
    (d) =>
      Object.entries(d.gatewayServiceAnnotations)
        .map(([key, value]) => `\`${key}: ${value}\``)
        .join(', ') || 'none',
  ],
  ['`gateway.awaitAddress`', (d) => show(d.awaitGatewayAddress, '')],
  ['`gateway.publicHost`', (d) => show(d.publicHost, 'from the Service status')],
  ['`database.storageSize`', (d) => show(d.storageSize, '')],
  ['`database.storageClass`', (d) => show(d.storageClass, '')],
  ['`database.retain` (kept on destroy)', (d) => show(d.retainDatabase, '')],
  ...(['books', 'booksReact', 'gateway', 'postgres'] as const).map(
    (workload) =>
      [`\`resources.${workload}\` (request → limit, CPU/memory)`, (d: TargetDefaults) => sizeOf(d.sizes, workload)] as [
        string,
        (defaults: TargetDefaults) => string,
      ],
  ),
];

export function targetDefaultsTable(): string {
  const header = `| setting | ${targetNames.join(' | ')} |`;
  const rule = `|---|${targetNames.map(() => '---').join('|')}|`;
  const body = rows.map(
    ([label, cell]) => `| ${label} | ${targetNames.map((target) => cell(targetDefaults[target])).join(' | ')} |`,
  );
  return [begin, header, rule, ...body, end].join('\n');
}

/** A markdown table with Prettier's column padding removed, for comparing content only. */
export function normalizeTable(table: string): string {
  return table
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim().replace(/^-{3,}$/, '---'))
        .join('|'),
    )
    .join('\n');
}

/** The generated block as it currently stands in the document, or undefined if missing. */
export function documentedTable(document: string): string | undefined {
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  return start < 0 || stop < start ? undefined : document.slice(start, stop + end.length);
}

/** Rewrites the generated block of docs/configuration.md, formatted as `npm run format` would. */
async function writeDocument(): Promise<void> {
  const document = fs.readFileSync(docFile, 'utf8');
  const current = documentedTable(document);
  if (current === undefined) throw new Error(`${docFile} has no generated block (${begin} … ${end})`);
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(docFile)) ?? {};
  const updated = document.replace(current, targetDefaultsTable());
  fs.writeFileSync(docFile, await prettier.format(updated, { ...options, filepath: docFile }));
}

if (require.main === module) {
  writeDocument().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
