import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultGatewayOptions,
  GatewayOptionsError,
  renderNginxConf,
  routes,
  type GatewayRenderOptions,
} from '../../src/render';
import { errorPages } from '../../src/error-pages';
import { authorsRoute, renderCases, staticAddresses } from '../render-cases';

const defaults = defaultGatewayOptions();
const render = (overrides: Partial<GatewayRenderOptions> = {}): string =>
  renderNginxConf({ ...defaults, ...overrides });
const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('renderNginxConf', () => {
  it('is pure: the same options render the same text', () => {
    assert.equal(render(), render());
  });

  it('the committed image default (config/nginx.conf) equals the rendering of the default options', () => {
    const committed = readFileSync(join(__dirname, '../../config/nginx.conf'), 'utf8');
    assert.equal(
      committed,
      renderNginxConf(defaultGatewayOptions()),
      'stale: run npm run render-config -w apps/books-reverse-proxy',
    );
  });

  describe('routes and prefix semantics', () => {
    const cases = [
      { prefix: '/books', expected: ['location = /books {', 'location ^~ /books/ {'] },
      { prefix: '/api/authors', expected: ['location = /api/authors {', 'location ^~ /api/authors/ {'] },
      { prefix: '/', expected: ['location / {'] },
    ];
    const conf = renderNginxConf(renderCases[3]!.options);
    for (const { prefix, expected } of cases) {
      it(`${prefix} renders ${expected.join(' and ')}`, () => {
        for (const line of expected) assert.equal(count(conf, line), 1, line);
      });
    }

    it('never renders a bare prefix location that would also match /booksXYZ', () => {
      assert.doesNotMatch(conf, /location \/books \{/);
      assert.doesNotMatch(conf, /location \^~ \/books \{/);
    });

    it('each route proxies to its own upstream with keepalive', () => {
      for (const route of routes) {
        assert.match(
          conf,
          new RegExp(`upstream ${route.name} \\{[^}]*keepalive ${defaults.upstream.keepaliveConnections};`),
        );
        assert.ok(conf.includes(`proxy_pass http://${route.name};`));
      }
      assert.ok(conf.includes('proxy_http_version 1.1;'));
      assert.ok(conf.includes('proxy_set_header Connection "";'));
    });

    it('static addressing lists every replica; DNS addressing includes gatewayd-written files and directives', () => {
      const staticConf = renderNginxConf(renderCases[2]!.options);
      for (const address of staticAddresses.books)
        assert.ok(staticConf.includes(`server ${address} max_fails=`), address);
      assert.doesNotMatch(staticConf, /# gatewayd upstream/);
      const dnsConf = render();
      assert.ok(dnsConf.includes('include /tmp/gateway-upstreams/books.conf;'));
      assert.ok(
        dnsConf.includes(
          '# gatewayd upstream books books-service.books.svc.cluster.local 5000 /tmp/gateway-upstreams/books.conf',
        ),
      );
      assert.ok(
        dnsConf.includes(
          '# gatewayd upstream web books-react-service.books.svc.cluster.local 3000 /tmp/gateway-upstreams/web.conf',
        ),
      );
      assert.ok(dnsConf.includes('# gatewayd copies 2'));
      const custom = renderNginxConf(renderCases[5]!.options);
      assert.ok(custom.includes('# gatewayd upstream web web.example.test. 3000'));
      assert.ok(custom.includes('# gatewayd upstream books books-service.staging.svc.example.internal 5000'));
      assert.ok(custom.includes('# gatewayd resolver 127.0.0.1:5353'));
    });

    it("generates request ids from gatewayd's per-start instance id, never nginx's $request_id (RAND_bytes)", () => {
      for (const conf of [render(), renderNginxConf(renderCases[2]!.options)]) {
        assert.ok(conf.includes('# gatewayd instance-id /tmp/gateway-instance-id.conf'));
        assert.ok(conf.includes('map $pid $gw_instance_id {\n        include /tmp/gateway-instance-id.conf;\n    }'));
        assert.ok(conf.includes('default "$gw_instance_id-$pid-$connection-$connection_requests";'));
        assert.doesNotMatch(conf, /\$request_id\b/);
      }
    });
  });

  describe('authentication', () => {
    it('renders an auth location and method map only for protected routes and methods', () => {
      const conf = renderNginxConf(renderCases[3]!.options);
      assert.equal(count(conf, 'js_content gateway.authorize;'), 2);
      assert.ok(conf.includes('location = /_gateway/auth/books {'));
      assert.ok(conf.includes('location = /_gateway/auth/authors {'));
      assert.ok(!conf.includes('/_gateway/auth/web'));
      assert.match(conf, /map \$request_method \$gw_protect_authors \{\s+PUT 1;\s+default 0;\s+\}/);
      assert.match(
        conf,
        /map \$request_method \$gw_protect_books \{\s+POST 1;\s+PUT 1;\s+PATCH 1;\s+DELETE 1;\s+default 0;\s+\}/,
      );
      assert.ok(conf.includes('set $gw_jwt_scope "authors:admin";'));
      assert.ok(conf.includes('set $gw_jwt_scope "books:write";'));
      assert.equal(count(conf, 'auth_request /_gateway/auth/'), 2);
    });

    it('always replaces X-Authenticated-User and never forwards Authorization', () => {
      assert.ok(render().includes('proxy_set_header X-Authenticated-User "$gw_user";'));
      assert.ok(render().includes('proxy_set_header Authorization "";'));
      const publicOnly = renderNginxConf(renderCases[4]!.options);
      assert.ok(publicOnly.includes('proxy_set_header X-Authenticated-User "";'));
      assert.ok(!publicOnly.includes('auth_request'));
    });

    it('passes the JWT settings to the njs module', () => {
      const conf = renderNginxConf(renderCases[5]!.options);
      assert.ok(conf.includes('set $gw_jwt_algorithms "RS256";'));
      assert.ok(conf.includes('set $gw_jwt_issuer "books-platform";'));
      assert.ok(conf.includes('set $gw_jwt_audience "books-api";'));
      assert.ok(conf.includes('set $gw_jwt_hs256_key_file "/etc/gateway/jwt/hs256.key";'));
      assert.ok(conf.includes('set $gw_jwt_rs256_key_file "/etc/gateway/jwt/rs256.pub.pem";'));
    });
  });

  describe('TLS', () => {
    const tlsConf = renderNginxConf(renderCases[1]!.options);
    const plainConf = render();
    const table = [
      { needle: 'listen 8443 ssl http2;', tls: true, plain: false },
      { needle: 'ssl_certificate /etc/gateway/tls/tls.crt;', tls: true, plain: false },
      { needle: 'Strict-Transport-Security', tls: true, plain: false },
      { needle: 'return 308 https://$host$request_uri;', tls: true, plain: false },
      { needle: 'listen 8080;', tls: true, plain: true },
      { needle: 'location = /healthz', tls: true, plain: true },
    ];
    for (const { needle, tls, plain } of table) {
      it(`${needle}: ${tls ? 'present' : 'absent'} with TLS, ${plain ? 'present' : 'absent'} without`, () => {
        assert.equal(tlsConf.includes(needle), tls);
        assert.equal(plainConf.includes(needle), plain);
      });
    }
    it('redirects to a non-default HTTPS port when configured', () => {
      const conf = render({ tls: { port: 8443, certificateFile: '/c.pem', keyFile: '/k.pem', redirectPort: 18443 } });
      assert.ok(conf.includes('return 308 https://$host:18443$request_uri;'));
    });
  });

  describe('limits and hardening', () => {
    const conf = renderNginxConf(renderCases[5]!.options);
    const table = [
      'limit_req_zone $binary_remote_addr zone=gw_requests:10m rate=2r/s;',
      'limit_req zone=gw_requests nodelay;',
      'limit_conn gw_connections 1;',
      'limit_req_status 429;',
      'limit_conn_status 429;',
      'client_max_body_size 1k;',
      'large_client_header_buffers 4 1k;',
      'add_header Retry-After "1" always;',
      'server_tokens off;',
      'proxy_hide_header X-Powered-By;',
      'proxy_next_upstream error timeout http_502 http_503 http_504;',
      'proxy_next_upstream_tries 2;',
      'worker_shutdown_timeout 20s;',
      'if ($request_method !~ ^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$) { return 405; }',
    ];
    for (const needle of table) it(`renders ${needle}`, () => assert.ok(conf.includes(needle), needle));

    it('answers HTTP/0.9 requests with the JSON version error in every route location only (error pages must still answer unparsed requests)', () => {
      const guard = 'if ($server_protocol !~ ^HTTP/) { return 505; }';
      assert.equal(count(render(), guard), 3, 'location = /books, ^~ /books/ and /');
      const errorBlock = render().split('location = /_gateway/error/414 {')[1]!.split('}')[0]!;
      assert.ok(!errorBlock.includes('server_protocol'));
    });

    it('an error met while answering an error page gets its JSON page too (recursive_error_pages, once per server)', () => {
      for (const conf of [render(), renderNginxConf(renderCases[1]!.options)]) {
        assert.equal(count(conf, 'recursive_error_pages on;'), count(conf, '\n    server {'));
      }
      assert.equal(count(renderNginxConf(renderCases[1]!.options), '\n    server {'), 2, 'TLS: redirect + TLS server');
    });

    it('never lets nginx retry non-idempotent requests', () => assert.doesNotMatch(conf, /non_idempotent/));

    it('renders the burst only when there is one', () => {
      assert.ok(render().includes('limit_req zone=gw_requests burst=100 nodelay;'));
    });

    it('Retry-After follows the rate (at least 1 s)', () => {
      assert.ok(
        render({ limits: { ...defaults.limits, requestsPerSecond: 1 } }).includes('add_header Retry-After "1" always;'),
      );
    });

    it('trusts X-Forwarded-For only from the configured proxies', () => {
      const trusted = renderNginxConf(renderCases[2]!.options);
      assert.ok(trusted.includes('set_real_ip_from 10.0.0.0/8;'));
      assert.ok(trusted.includes('set_real_ip_from 192.168.0.0/16;'));
      assert.ok(trusted.includes('real_ip_header X-Forwarded-For;'));
      assert.ok(!render().includes('set_real_ip_from'));
      assert.ok(!render().includes('real_ip_header'));
    });

    it('answers every nginx error status with a JSON body', () => {
      for (const page of errorPages) {
        assert.ok(conf.includes(`location = /_gateway/error/${page.status} {`), String(page.status));
        const body = new RegExp(`return ${page.sentStatus} '([^']*)';`).exec(
          conf.slice(conf.indexOf(`/_gateway/error/${page.status} {`)),
        );
        assert.ok(body, `JSON body for ${page.status}`);
        const parsed = JSON.parse(body[1]!) as { error: string; message: string; details: object };
        assert.equal(parsed.error, page.error);
        assert.ok(parsed.message.length > 0);
        assert.ok(parsed.details);
      }
    });

    it('answers client faults nginx reports as 501/505 with 400, never 5xx', () => {
      assert.ok(conf.includes('error_page 501 =400 /_gateway/error/501;'));
      assert.ok(conf.includes('error_page 505 =400 /_gateway/error/505;'));
      for (const status of [501, 505]) {
        const block = conf.slice(conf.indexOf(`/_gateway/error/${status} {`));
        assert.match(block, /^[^}]*return 400 '/);
      }
    });

    it('keeps the security headers on locations that add their own headers', () => {
      const withExtras = conf.split('location = /_gateway/error/').filter((block) => /^(401|403|405|429) /.test(block));
      assert.equal(withExtras.length, 4);
      for (const block of withExtras) {
        for (const header of ['X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy', 'X-Request-ID']) {
          assert.ok(block.split('}')[0]!.includes(`add_header ${header}`), `${block.slice(0, 3)} ${header}`);
        }
      }
    });

    it('logs one JSON line per request to stdout, with the fields gatewayd reads the metrics from', () => {
      const conf = render();
      assert.ok(conf.includes('log_format gateway_json escape=json'));
      assert.ok(conf.includes('access_log /dev/stdout gateway_json buffer=64k flush=1s;'));
      assert.ok(render({ accessLogBuffer: null }).includes('access_log /dev/stdout gateway_json;'));
      // gatewayd (supervisor/metrics.go) looks these up by key.
      for (const field of [
        '"method":"$gw_method"',
        '"status":$status,',
        '"request_time":$request_time,',
        '"route":"$gw_route"',
      ])
        assert.ok(conf.includes(field), field);
      assert.equal(conf.match(/access_log (?!off;)/g)?.length, 1, 'one log line per request');
      assert.ok(!conf.includes('syslog'));
    });

    it('tells gatewayd where to serve metrics, and nothing without metrics', () => {
      assert.ok(render().includes('\n# gatewayd metrics 0.0.0.0:9145\n'));
      assert.ok(!renderNginxConf(renderCases[4]!.options).includes('# gatewayd metrics'));
    });

    it('keeps all writable paths under tempDir', () => {
      const custom = render({ paths: { ...defaults.paths, tempDir: '/var/run/gw' } });
      for (const directive of [
        'pid',
        'client_body_temp_path',
        'proxy_temp_path',
        'fastcgi_temp_path',
        'uwsgi_temp_path',
        'scgi_temp_path',
      ]) {
        assert.match(custom, new RegExp(`${directive} /var/run/gw/`), directive);
      }
    });
  });

  describe('validation', () => {
    const bad: [string, Partial<GatewayRenderOptions>, RegExp][] = [
      ['no routes', { routes: [] }, /at least one route/],
      ['bad route name', { routes: [{ ...authorsRoute, name: 'Authors!' }] }, /route name/],
      ['trailing slash', { routes: [{ ...authorsRoute, pathPrefix: '/api/' }] }, /pathPrefix/],
      ['duplicate prefix', { routes: [authorsRoute, { ...authorsRoute, name: 'other' }] }, /duplicate pathPrefix/],
      ['duplicate name', { routes: [authorsRoute, { ...authorsRoute, pathPrefix: '/x' }] }, /duplicate route name/],
      ['reserved prefix', { routes: [{ ...authorsRoute, pathPrefix: '/_gateway' }] }, /reserved/],
      ['healthz prefix', { routes: [{ ...authorsRoute, pathPrefix: '/healthz' }] }, /reserved/],
      [
        'empty auth methods',
        { routes: [{ ...authorsRoute, auth: { methods: [], scope: 'x' } }] },
        /auth.methods is empty/,
      ],
      [
        'scope with a space',
        { routes: [{ ...authorsRoute, auth: { methods: ['PUT'], scope: 'a b' } }] },
        /one scope token/,
      ],
      [
        'missing static address',
        { backends: { kind: 'static', addresses: { books: ['127.0.0.1:1'] } } },
        /addresses.web/,
      ],
      [
        'bad static address',
        { backends: { kind: 'static', addresses: { books: ['x'], web: ['127.0.0.1:1'] } } },
        /not host:port/,
      ],
      ['config injection via issuer', { jwt: { ...defaults.jwt, issuer: 'a"; evil' } }, /jwt.issuer/],
      ['no algorithms', { jwt: { ...defaults.jwt, algorithms: [] } }, /at least one algorithm/],
      ['relative key path', { jwt: { ...defaults.jwt, hs256KeyFile: 'hs.key' } }, /absolute path/],
      ['bad body size', { limits: { ...defaults.limits, maxBodySize: '1 m' } }, /maxBodySize/],
      ['bad CIDR', { trustedProxies: ['10.0.0.0/8; allow all'] }, /trustedProxies/],
      [
        'TLS on the plain port',
        { tls: { port: 8080, certificateFile: '/c', keyFile: '/k', redirectPort: 443 } },
        /tls.port/,
      ],
      ['bad log buffer', { accessLogBuffer: { size: 'big', flushSeconds: 1 } }, /accessLogBuffer.size/],
      ['zero tries', { upstream: { ...defaults.upstream, retryTries: 0 } }, /retryTries/],
    ];
    for (const [name, overrides, message] of bad) {
      it(`rejects ${name}`, () => {
        assert.throws(
          () => render(overrides),
          (error: unknown) => error instanceof GatewayOptionsError && message.test(error.message),
        );
      });
    }
  });
});
