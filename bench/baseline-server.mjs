// The ceiling of the API's pieces (issue 15's baseline): a bare node:http server doing what
// GET /api/v1/me does — check an HS256 bearer token with node:crypto, one prepared SQLite lookup
// of the session and its user, a JSON answer — and nothing else: no router, no pipeline, no
// headers beyond the JSON ones. bench/run.ts starts it on the benchmark's own database.
//   DATABASE_FILE, SESSION_KEY (the token key, hex), PORT
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import Database from 'better-sqlite3';

const key = Buffer.from(process.env.SESSION_KEY, 'hex');
const db = new Database(process.env.DATABASE_FILE, { readonly: true });
const lookup = db.prepare(
  `SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.date_of_birth, u.created_at, u.updated_at
     FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
);

function claimsOf(header) {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  const parts = token?.split('.');
  if (parts?.length !== 3) return null;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  return claims.exp > Date.now() / 1000 ? claims : null;
}

const send = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
};

http
  .createServer((req, res) => {
    const claims = claimsOf(req.headers.authorization);
    if (!claims) return send(res, 401, { error: { code: 'invalid_token' } });
    const row = lookup.get(claims.sid, Number(claims.sub), Date.now());
    if (!row) return send(res, 401, { error: { code: 'session_ended' } });
    send(res, 200, {
      user: {
        id: row.id,
        username: row.username,
        email: row.email,
        firstName: row.first_name,
        lastName: row.last_name,
        dateOfBirth: row.date_of_birth,
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
      },
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('listening'));
