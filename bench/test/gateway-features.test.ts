// The cost section's feature edits stay in step with the gateway's renderer: each takes its feature out of the
// config the gateway renders (and only it), and an edit that no longer finds its directive says so.
import assert from 'node:assert/strict';
import { defaultGatewayOptions, renderNginxConf } from '../../apps/books-reverse-proxy/src/render';
import { GATEWAY_FEATURES } from '../lib/gateway-features';

const rendered = renderNginxConf(defaultGatewayOptions());
const without = (name: string): string => {
  const feature = GATEWAY_FEATURES.find((candidate) => candidate.name === name);
  if (!feature) throw new Error(`no feature ${name}`);
  return feature.without(rendered);
};
const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('bench: the gateway features the cost section takes out', () => {
  it('each changes the rendered config and leaves the other features in it', () => {
    for (const feature of GATEWAY_FEATURES) {
      const edited = feature.without(rendered);
      assert.notEqual(edited, rendered, feature.name);
      assert.match(edited, /proxy_pass http:\/\/books;/, `${feature.name}: routing kept`);
      // Every other feature is still there to be taken out: an edit that reached too far would make another throw.
      for (const other of GATEWAY_FEATURES.filter((candidate) => candidate !== feature)) {
        assert.notEqual(other.without(edited), edited, `${feature.name} took out ${other.name} too`);
      }
    }
  });

  it('the access log: off, the log format still declared', () => {
    const edited = without('JSON access log');
    assert.equal(count(edited, /access_log \/dev\/stdout/g), 0);
    assert.match(edited, /log_format gateway_json/);
    assert.match(edited, /^\s*access_log off;$/m);
  });

  it('the request id: a constant in place of the generated one, a valid client id still kept', () => {
    const edited = without('generated request id');
    assert.doesNotMatch(edited, /\$gw_instance_id-/);
    assert.match(edited, /default "-";/);
    assert.match(edited, /\$http_x_request_id;/);
  });

  it('response headers, checks and limits: every such line gone, their zones and maps left', () => {
    assert.ok(count(rendered, /add_header /g) > 5);
    assert.equal(count(without('response headers (request id, CSP, security)'), /add_header /g), 0);
    const checks = without('method and protocol checks');
    assert.equal(count(checks, /if \(\$(request_method|server_protocol) !~/g), 0);
    assert.match(checks, /if \(\$gw_protect_books\)/);
    const limits = without('rate and connection limits');
    assert.equal(count(limits, /limit_req zone=|limit_conn gw_/g), 0);
    assert.match(limits, /limit_req_zone /);
    assert.match(limits, /limit_conn_zone /);
  });

  it('an edit whose directive is gone fails, naming the feature', () => {
    for (const feature of GATEWAY_FEATURES) {
      assert.throws(
        () => feature.without('http {\n}\n'),
        new RegExp(`gateway feature "${feature.name.replace(/[()]/g, '\\$&')}"`),
      );
    }
  });
});
