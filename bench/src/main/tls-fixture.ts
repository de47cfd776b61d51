/**
 * The bench's TLS key and certificate: the self-signed `localhost` pair of @weft/mux's test fixtures
 * (not a secret; never use it outside loopback).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '..', '..', '..', 'packages', 'mux', 'test', 'fixtures');

/** Server side: key and certificate. */
export function serverTls(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(join(dir, 'test-key.pem')), cert: readFileSync(join(dir, 'test-cert.pem')) };
}

/** Client side: trust the bench certificate, name `localhost`. */
export function clientTls(): { ca: Buffer; servername: string } {
  return { ca: readFileSync(join(dir, 'test-cert.pem')), servername: 'localhost' };
}
