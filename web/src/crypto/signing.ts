/**
 * Sender-signed manifests. The sender makes one ECDSA P-256 key pair per share (WebCrypto; the
 * private key is not extractable and never leaves the sender's page). The link's fragment carries
 * SHA-256 of the raw public key next to the content key; the signed envelope carries the public
 * key itself. A receiver accepts a manifest only when the public key hashes to the link's value
 * and the signature over the manifest text verifies — whichever peer relayed it.
 * Verification uses noble's P-256 (audited, pure JS): it works the same on pages without native
 * WebCrypto (http://<LAN address>, crypto/fallback.ts), and manifests are few. Signing uses
 * WebCrypto's non-extractable key, or noble where WebCrypto has no ECDSA.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { asBuffer, concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIG = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Domain separation: a signature over a manifest is never valid for anything else. */
const MANIFEST_CONTEXT = utf8('p2p-share/v2/manifest\n');
const KEY_PROOF_CONTEXT = utf8('p2p-share/v2/key-proof\n');
/** Raw uncompressed P-256 point. */
export const PUBLIC_KEY_BYTES = 65;
/** IEEE P1363 r ‖ s. */
export const SIGNATURE_BYTES = 64;
export const SIGNER_HASH_BYTES = 32;

export interface ShareSigner {
  /** base64url SHA-256 of the raw public key: the link's second half */
  readonly signerHash: string;
  /** base64url raw public key */
  readonly publicKey: string;
  signManifest(manifestJson: string): Promise<string>;
  /** base64url signature over a key-proof statement (crypto/keyproof.ts signerStatement) */
  signKeyProof(statement: Uint8Array): Promise<string>;
}

export async function newShareSigner(): Promise<ShareSigner> {
  let pair: CryptoKeyPair;
  try {
    pair = await crypto.subtle.generateKey(ALG, false, ['sign', 'verify']);
  } catch {
    return nobleSigner();
  }
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const signerHash = await hashPublicKey(raw);
  const sign = async (context: Uint8Array, data: Uint8Array) =>
    toBase64Url(
      new Uint8Array(
        await crypto.subtle.sign(SIG, pair.privateKey, asBuffer(concatBytes(context, data))),
      ),
    );
  return {
    signerHash,
    publicKey: toBase64Url(raw),
    signManifest: (json) => sign(MANIFEST_CONTEXT, utf8(json)),
    signKeyProof: (st) => sign(KEY_PROOF_CONTEXT, st),
  };
}

/** Where WebCrypto has no ECDSA (the non-secure-context fallback): the key lives in this closure. */
async function nobleSigner(): Promise<ShareSigner> {
  const secret = p256.utils.randomSecretKey();
  const raw = p256.getPublicKey(secret, false);
  const sign = (context: Uint8Array, data: Uint8Array) =>
    Promise.resolve(toBase64Url(p256.sign(concatBytes(context, data), secret)));
  return {
    signerHash: await hashPublicKey(raw),
    publicKey: toBase64Url(raw),
    signManifest: (json) => sign(MANIFEST_CONTEXT, utf8(json)),
    signKeyProof: (st) => sign(KEY_PROOF_CONTEXT, st),
  };
}

export async function hashPublicKey(raw: Uint8Array): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', asBuffer(raw))));
}

/** The signed envelope that travels (sealed with the content key) instead of a bare manifest. */
export interface SignedManifest {
  /** the manifest's exact JSON text, as signed */
  m: string;
  /** base64url raw public key */
  pub: string;
  /** base64url ECDSA P-256 / SHA-256 signature over MANIFEST_CONTEXT ‖ m */
  sig: string;
}

export class SignatureError extends Error {
  readonly code = 'bad-signature';
}

/**
 * Checks an envelope against the link's signer hash; returns the manifest text only when the
 * public key is the link's and the signature verifies.
 */
export async function verifySignedManifest(env: unknown, signerHash: string): Promise<string> {
  if (typeof env !== 'object' || env === null) throw new SignatureError('not an envelope');
  const e = env as Record<string, unknown>;
  if (typeof e.m !== 'string' || typeof e.pub !== 'string' || typeof e.sig !== 'string')
    throw new SignatureError('envelope fields missing');
  let pub: Uint8Array;
  let sig: Uint8Array;
  try {
    pub = fromBase64Url(e.pub);
    sig = fromBase64Url(e.sig);
  } catch {
    throw new SignatureError('envelope is not base64url');
  }
  if (pub.length !== PUBLIC_KEY_BYTES || sig.length !== SIGNATURE_BYTES)
    throw new SignatureError('bad key or signature length');
  if ((await hashPublicKey(pub)) !== signerHash)
    throw new SignatureError('signed by someone else than the link’s sender');
  const data = concatBytes(MANIFEST_CONTEXT, utf8(e.m));
  let ok: boolean;
  try {
    // WebCrypto signs with either s; prehash: SHA-256 of the data, as ECDSA/SHA-256 does
    ok = p256.verify(sig, data, pub, { lowS: false });
  } catch {
    throw new SignatureError('not a P-256 public key');
  }
  if (!ok) throw new SignatureError('signature does not verify');
  return e.m;
}

/**
 * Whether `sig` is the link's signer's signature over a key-proof statement: `pub` hashes to the
 * link's signer hash and the signature verifies. Synchronous (noble), for the handshake.
 */
export function verifyKeyProofSignature(
  pub: Uint8Array,
  sig: Uint8Array,
  statement: Uint8Array,
  signerHash: string,
): boolean {
  if (pub.length !== PUBLIC_KEY_BYTES || sig.length !== SIGNATURE_BYTES) return false;
  if (toBase64Url(sha256(pub)) !== signerHash) return false;
  try {
    return p256.verify(sig, concatBytes(KEY_PROOF_CONTEXT, statement), pub, { lowS: false });
  } catch {
    return false;
  }
}
