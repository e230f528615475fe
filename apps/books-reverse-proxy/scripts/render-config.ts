/**
 * Regenerates the image's default config (config/nginx.conf) from the route table:
 * `npm run render-config -w apps/books-reverse-proxy`. A unit test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { defaultGatewayOptions, renderNginxConf } from '../src/render';

const [target] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: render-config <output file>\n');
  process.exit(2);
}
writeFileSync(target, renderNginxConf(defaultGatewayOptions()));
