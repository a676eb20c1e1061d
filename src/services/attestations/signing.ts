import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOnce } from '../../data-files.js';

export const SIGNING_KEY_FILE = 'attestation-signing-key.pem';

/**
 * The Ed25519 key that signs the QR codes' payloads. Its public part is published at /verifier/cle,
 * so that anyone can check a printed attestation without network access.
 */
export class AttestationSigner {
  readonly publicKey: KeyObject;
  /** The first 8 bytes of the SHA-256 of the public key (SPKI DER), base64url: names the key in each payload. */
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest().subarray(0, 8).toString('base64url');
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(message: string): Buffer {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey);
  }
}

/** The key kept in DATA_DIR, generated on the first start (only its owner may read it). */
export function loadOrCreateSigner(dataDir: string): AttestationSigner {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SIGNING_KEY_FILE);
  if (existsSync(file)) return new AttestationSigner(createPrivateKey(readFileSync(file, 'utf8')));
  const { privateKey } = generateKeyPairSync('ed25519');
  // Instances sharing the folder all sign with the key of the first one to start.
  const kept = createOnce(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return new AttestationSigner(createPrivateKey(kept));
}
