// What each of the gateway's per-request features costs (the cost section): the gateway's rendered nginx.conf with
// one feature taken out at a time. The features are edits of the rendered text, not render options, because the
// product has no switch to turn them off (they are its promises); each edit must change the text, so a render.ts
// change that moves a directive fails bench/test/gateway-features.test.ts instead of measuring nothing.

export interface GatewayFeature {
  /** What the gateway does per request, as the cost table names it. */
  name: string;
  /** The same config without that feature. */
  without(config: string): string;
}

/** `config` with every match of `pattern` replaced; throws when nothing matched (the feature was not taken out). */
function edit(feature: string, config: string, pattern: RegExp, replacement: string): string {
  const edited = config.replace(pattern, replacement);
  if (edited === config) throw new Error(`gateway feature "${feature}": ${pattern} matches nothing in the config`);
  return edited;
}

const feature = (name: string, edits: [RegExp, string][]): GatewayFeature => ({
  name,
  without: (config) => edits.reduce((text, [pattern, replacement]) => edit(name, text, pattern, replacement), config),
});

/** One line of the rendered config, whole (its indentation and newline included). */
const line = (body: string): RegExp => new RegExp(`^[ \\t]*${body}[^\\n]*\\n`, 'gm');

export const GATEWAY_FEATURES: readonly GatewayFeature[] = [
  feature('JSON access log', [[/^([ \t]*)access_log \/dev\/stdout [^;]*;$/m, '$1access_log off;']]),
  // The id still exists (headers and log keep their places), as a constant: what generating it costs.
  feature('generated request id', [[/^([ \t]*)default "\$gw_instance_id-[^"]*";$/m, '$1default "-";']]),
  feature('response headers (request id, CSP, security)', [[line('add_header '), '']]),
  feature('method and protocol checks', [
    [line('if \\(\\$request_method !~ '), ''],
    [line('if \\(\\$server_protocol !~ '), ''],
  ]),
  feature('rate and connection limits', [
    [line('limit_req zone='), ''],
    [line('limit_conn gw_'), ''],
  ]),
];
