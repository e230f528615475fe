import { createServer } from 'node:http';
import pg from 'pg';
import { listSql, SELECT_BY_ID_SQL } from '../src/repository';

/*
 * The benchmark's baseline: node:http + pg running exactly the books queries (imported from the repository),
 * with no validation, hooks, metrics or logging. Same pool size as the service.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
pool.on('error', () => undefined);
const LIST_SQL = listSql('createdAt', 'asc');
const BY_ID = /^\/books\/([0-9a-f-]{36})$/;

const server = createServer(async (request, response) => {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  try {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const byId = BY_ID.exec(url.pathname);
    if (byId) {
      const { rows } = await pool.query(SELECT_BY_ID_SQL, [byId[1]]);
      return rows[0] ? send(200, rows[0]) : send(404, { error: 'not_found' });
    }
    if (url.pathname === '/books') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const { rows } = await pool.query(LIST_SQL, [null, limit, offset]);
      const items = rows.filter((row) => row.id !== null).map(({ total: _total, ...book }) => book);
      return send(200, { items, total: rows[0]?.total ?? 0, limit, offset });
    }
    return send(404, { error: 'not_found' });
  } catch {
    return send(503, { error: 'database_unavailable' });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: `Server listening at http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
